//! The inputs file: `{"public": [..], "secret": [..]}`, both optional; values are JSON
//! integers or decimal strings, each below p. Anything else is refused with a message saying
//! which value is wrong: nothing the user gave is silently changed.

use distaff_math::{parse_felt, Felt};
use serde_json::Value;

use crate::CliError;

/// Parsed inputs.
pub struct Inputs {
    /// Initial stack, top first.
    pub public: Vec<Felt>,
    /// Values `read` consumes.
    pub secret: Vec<Felt>,
}

fn value(v: &Value, what: &str, i: usize) -> Result<Felt, CliError> {
    let bad = |why: String| CliError::Inputs(format!("{what}[{i}]: {why}"));
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(u) => parse_felt(&u.to_string()).map_err(|e| bad(e.to_string())),
            None => Err(bad(format!("{n} is not a non-negative integer below p"))),
        },
        Value::String(s) => parse_felt(s).map_err(|e| bad(e.to_string())),
        other => Err(bad(format!("expected a number or a decimal string, found {other}"))),
    }
}

fn list(v: Option<&Value>, what: &str) -> Result<Vec<Felt>, CliError> {
    match v {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().enumerate().map(|(i, x)| value(x, what, i)).collect(),
        Some(_) => Err(CliError::Inputs(format!("'{what}' must be an array"))),
    }
}

/// Parses the text of an inputs file.
pub fn parse(text: &str) -> Result<Inputs, CliError> {
    let json: Value = serde_json::from_str(text).map_err(|e| CliError::Inputs(format!("not valid JSON: {e}")))?;
    let obj = json.as_object().ok_or_else(|| CliError::Inputs("expected a JSON object".into()))?;
    if let Some(k) = obj.keys().find(|k| *k != "public" && *k != "secret") {
        return Err(CliError::Inputs(format!("unknown key '{k}' (expected 'public' and/or 'secret')")));
    }
    Ok(Inputs { public: list(obj.get("public"), "public")?, secret: list(obj.get("secret"), "secret")? })
}

/// Parses a comma-separated list of field elements (as given to `--outputs`).
pub fn parse_list(text: &str) -> Result<Vec<Felt>, CliError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, t)| parse_felt(t).map_err(|e| CliError::Usage(format!("--outputs value {}: {e}", i + 1))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_numbers_and_strings_and_refuses_the_rest() {
        let i = parse(r#"{"public": [1, "2"], "secret": ["18446744069414584320"]}"#).unwrap();
        assert_eq!(i.public, vec![Felt::new(1), Felt::new(2)]);
        assert_eq!(i.secret.len(), 1);
        assert!(parse(r#"{}"#).unwrap().public.is_empty());
        for bad in [
            r#"{"public": [-1]}"#,
            r#"{"public": [1.5]}"#,
            r#"{"public": ["18446744069414584321"]}"#,
            r#"{"public": [18446744073709551615]}"#,
            r#"{"public": [99999999999999999999999]}"#,
            r#"{"secrets": [1]}"#,
            r#"{"public": 1}"#,
            r#"[1]"#,
            r#"{"public": [true]}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn output_lists() {
        assert_eq!(parse_list("1,2, 3").unwrap().len(), 3);
        assert!(parse_list("").unwrap().is_empty());
        assert!(parse_list("1,,2").is_err());
        assert!(parse_list("18446744069414584321").is_err());
    }
}
