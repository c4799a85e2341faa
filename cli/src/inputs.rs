//! The inputs file: `{"public": [..], "secret": [..], "memory": {"ADDR": VALUE, ..},
//! "advice_map": [..], "merkle_store": [..]}`, all optional; values are JSON integers or
//! strings of decimal digits (no sign, space or `0x`), each below p; no key may appear twice in
//! an object. A memory entry's value is one value (lane 0 of the word at ADDR, the others 0) or
//! an array of up to four (the word, lane 0 first); ADDR is a decimal address below 2^32. The
//! initial memory is public: `verify` reads it from the same file.
//!
//! The advice (secret, like `secret`):
//! * `"advice_map": [{"key": WORD, "values": [..]}, ..]`, where a WORD is an array of exactly
//!   four values, lane 0 first;
//! * `"merkle_store": [TREE, ..]`, each TREE one of `{"leaves": [WORD, ..]}` (a full tree over
//!   2^k leaves, leaf 0 first), `{"depth": D, "sparse": {"INDEX": WORD, ..}}` (a tree of depth
//!   1..=64 whose other leaves are `[0, 0, 0, 0]`; INDEX a decimal below 2^D and below p) or
//!   `{"nodes": [[LEFT, RIGHT], ..]}` (parent nodes, by their two children).
//!
//! Anything else is refused with a message saying which value is wrong: nothing the user gave
//! is silently changed.

use distaff_math::{parse_felt, Felt};
use distaff_processor::advice::{AdviceMap, MerkleStore};
use serde_json::Value;

use crate::CliError;

/// Parsed inputs.
#[derive(Default)]
pub struct Inputs {
    /// Initial stack, top first.
    pub public: Vec<Felt>,
    /// Values `read` consumes.
    pub secret: Vec<Felt>,
    /// Initial memory (public), by address.
    pub memory: Vec<(u32, [Felt; 4])>,
    /// The advice map (secret).
    pub advice_map: AdviceMap,
    /// The Merkle store (secret).
    pub merkle_store: MerkleStore,
    /// The roots of the trees in `merkle_store`, in the file's order.
    pub merkle_roots: Vec<[Felt; 4]>,
}

fn value(v: &Value, what: &str, i: usize) -> Result<Felt, CliError> {
    let bad = |why: String| CliError::Inputs(format!("{what}[{i}]: {why}"));
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(u) => parse_felt(&u.to_string()).map_err(|e| bad(e.to_string())),
            None => Err(bad(format!("{n} is not a non-negative integer below p"))),
        },
        // (parse_felt also takes hex and surrounding spaces: the file takes decimal digits only)
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            parse_felt(s).map_err(|e| bad(e.to_string()))
        }
        Value::String(s) => Err(bad(format!("\"{s}\" is not a string of decimal digits"))),
        other => Err(bad(format!("expected a number or a decimal string, found {other}"))),
    }
}

fn list(v: Option<&Value>, what: &str) -> Result<Vec<Felt>, CliError> {
    array(v, what)?.iter().enumerate().map(|(i, x)| value(x, what, i)).collect()
}

/// Parses the text of an inputs file.
pub fn parse(text: &str) -> Result<Inputs, CliError> {
    parse_with(text, true)
}

/// [`parse`]; without `advice`, `advice_map` and `merkle_store` are left unread (a verifier
/// reads only the claim: the public inputs and the initial memory).
pub fn parse_with(text: &str, advice: bool) -> Result<Inputs, CliError> {
    let json: Value = serde_json::from_str(text).map_err(|e| CliError::Inputs(format!("not valid JSON: {e}")))?;
    let obj = json.as_object().ok_or_else(|| CliError::Inputs("expected a JSON object".into()))?;
    const KEYS: [&str; 5] = ["public", "secret", "memory", "advice_map", "merkle_store"];
    if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(CliError::Inputs(format!(
            "unknown key '{k}' (expected 'public', 'secret', 'memory', 'advice_map' and/or 'merkle_store')"
        )));
    }
    // a JSON object keeps the last of two equal keys: read the text's own entries so that a
    // repeated key (or memory address) is refused, not silently dropped
    serde_json::from_str::<NoRepeatedKeys>(text).map_err(|e| CliError::Inputs(e.to_string()))?;
    let memory = memory(obj.get("memory"))?;
    let (advice_map, (merkle_store, merkle_roots)) = match advice {
        true => (advice_map(obj.get("advice_map"))?, merkle_store(obj.get("merkle_store"))?),
        false => Default::default(),
    };
    Ok(Inputs {
        public: list(obj.get("public"), "public")?,
        secret: list(obj.get("secret"), "secret")?,
        memory,
        advice_map,
        merkle_store,
        merkle_roots,
    })
}

/// A word: exactly four values, lane 0 first.
fn word(v: &Value, what: &str) -> Result<[Felt; 4], CliError> {
    match v {
        Value::Array(items) if items.len() == 4 => {
            let mut w = [Felt::new(0); 4];
            for (i, x) in items.iter().enumerate() {
                w[i] = value(x, what, i)?;
            }
            Ok(w)
        }
        _ => Err(CliError::Inputs(format!("{what}: a word is an array of exactly four values"))),
    }
}

fn object<'a>(v: &'a Value, what: &str, keys: &[&str]) -> Result<&'a serde_json::Map<String, Value>, CliError> {
    let obj = v.as_object().ok_or_else(|| CliError::Inputs(format!("{what}: expected an object")))?;
    if let Some(k) = obj.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(CliError::Inputs(format!("{what}: unknown key '{k}' (expected {})", keys.join(", "))));
    }
    Ok(obj)
}

fn array<'a>(v: Option<&'a Value>, what: &str) -> Result<&'a [Value], CliError> {
    match v {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(CliError::Inputs(format!("'{what}' must be an array"))),
    }
}

fn advice_map(v: Option<&Value>) -> Result<AdviceMap, CliError> {
    let mut entries = Vec::new();
    for (i, entry) in array(v, "advice_map")?.iter().enumerate() {
        let what = format!("advice_map[{i}]");
        let obj = object(entry, &what, &["key", "values"])?;
        let key = word(obj.get("key").ok_or_else(|| CliError::Inputs(format!("{what}: no 'key'")))?, &what)?;
        let values = list(obj.get("values"), &format!("{what}.values"))?;
        entries.push((key, values));
    }
    AdviceMap::new(entries).map_err(|e| CliError::Inputs(format!("advice_map: {e}")))
}

fn merkle_store(v: Option<&Value>) -> Result<(MerkleStore, Vec<[Felt; 4]>), CliError> {
    let mut store = MerkleStore::new();
    let mut roots = Vec::new();
    for (i, tree) in array(v, "merkle_store")?.iter().enumerate() {
        let what = format!("merkle_store[{i}]");
        let bad = |e: String| CliError::Inputs(format!("{what}: {e}"));
        let obj = object(tree, &what, &["leaves", "depth", "sparse", "nodes"])?;
        let form: Vec<&str> = ["leaves", "sparse", "nodes"].into_iter().filter(|k| obj.contains_key(*k)).collect();
        let root = match form[..] {
            ["leaves"] if !obj.contains_key("depth") => {
                let leaves = array(obj.get("leaves"), &format!("{what}.leaves"))?;
                let leaves: Vec<[Felt; 4]> = leaves
                    .iter()
                    .enumerate()
                    .map(|(j, l)| word(l, &format!("{what}.leaves[{j}]")))
                    .collect::<Result<_, _>>()?;
                store.add_tree(&leaves).map_err(|e| bad(e.to_string()))?
            }
            ["sparse"] => {
                let depth = obj
                    .get("depth")
                    .and_then(Value::as_u64)
                    .filter(|d| (1..=64).contains(d))
                    .ok_or_else(|| bad("a sparse tree needs a 'depth' from 1 to 64".into()))?;
                let entries = obj
                    .get("sparse")
                    .and_then(Value::as_object)
                    .ok_or_else(|| bad("'sparse' must be an object {\"INDEX\": WORD, ...}".into()))?;
                let mut leaves = Vec::with_capacity(entries.len());
                for (key, leaf) in entries {
                    let at = format!("{what}.sparse[\"{key}\"]");
                    let index = (!key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| parse_felt(key).ok())
                        .flatten()
                        .ok_or_else(|| {
                            CliError::Inputs(format!("{at}: the index must be a decimal integer below p"))
                        })?;
                    leaves.push((index.as_int(), word(leaf, &at)?));
                }
                store.add_sparse(depth as u32, &leaves).map_err(|e| bad(e.to_string()))?
            }
            ["nodes"] if !obj.contains_key("depth") => {
                let mut last = None;
                for (j, pair) in array(obj.get("nodes"), &format!("{what}.nodes"))?.iter().enumerate() {
                    let at = format!("{what}.nodes[{j}]");
                    match pair {
                        Value::Array(lr) if lr.len() == 2 => {
                            last = Some(store.add_node(word(&lr[0], &at)?, word(&lr[1], &at)?));
                        }
                        _ => return Err(CliError::Inputs(format!("{at}: a node is [LEFT WORD, RIGHT WORD]"))),
                    }
                }
                match last {
                    Some(root) => root,
                    None => return Err(bad("'nodes' lists no node".into())),
                }
            }
            _ => {
                return Err(bad(
                    "a tree is {\"leaves\": [..]}, {\"depth\": D, \"sparse\": {..}} or {\"nodes\": [..]}".into()
                ))
            }
        };
        roots.push(root);
    }
    Ok((store, roots))
}

/// Any JSON value whose objects, at every level, name each key once.
struct NoRepeatedKeys;

impl<'de> serde::Deserialize<'de> for NoRepeatedKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = NoRepeatedKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut keys = std::collections::BTreeSet::new();
                while let Some(k) = map.next_key::<String>()? {
                    map.next_value::<NoRepeatedKeys>()?;
                    if !keys.insert(k.clone()) {
                        return Err(serde::de::Error::custom(format!("the key \"{k}\" is given twice")));
                    }
                }
                Ok(NoRepeatedKeys)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<NoRepeatedKeys>()?.is_some() {}
                Ok(NoRepeatedKeys)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(NoRepeatedKeys)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(NoRepeatedKeys)
            }
        }
        d.deserialize_any(Visit)
    }
}

fn memory(v: Option<&Value>) -> Result<Vec<(u32, [Felt; 4])>, CliError> {
    let entries = match v {
        None => return Ok(Vec::new()),
        Some(Value::Object(entries)) => entries,
        Some(_) => return Err(CliError::Inputs("'memory' must be an object {\"ADDR\": VALUE, ...}".into())),
    };
    let mut out = Vec::with_capacity(entries.len());
    for (key, v) in entries {
        let what = format!("memory[\"{key}\"]");
        let addr: u32 = key
            .parse()
            .ok()
            .filter(|_| key.chars().all(|c| c.is_ascii_digit()))
            .ok_or_else(|| CliError::Inputs(format!("{what}: the address must be a decimal integer below 2^32")))?;
        let mut word = [Felt::new(0); 4];
        match v {
            Value::Array(items) if items.len() <= 4 => {
                for (i, x) in items.iter().enumerate() {
                    word[i] = value(x, &what, i)?;
                }
            }
            Value::Array(items) => {
                return Err(CliError::Inputs(format!("{what}: a word has at most 4 values, found {}", items.len())))
            }
            other => word[0] = value(other, &what, 0)?,
        }
        out.push((addr, word));
    }
    out.sort_by_key(|(a, _)| *a);
    if let Some(w) = out.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(CliError::Inputs(format!("memory: address {} is given twice", w[0].0)));
    }
    Ok(out)
}

/// Parses a list of field elements separated by commas or by white space (as given to
/// `--outputs`; an empty item between commas is an error).
pub fn parse_list(text: &str) -> Result<Vec<Felt>, CliError> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    // commas (each value may be padded with white space), or white space alone: `run` prints
    // one value per line
    let values: Vec<&str> =
        if text.contains(',') { text.split(',').map(str::trim).collect() } else { text.split_whitespace().collect() };
    values
        .into_iter()
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
            r#"{"memory": [1]}"#,
            r#"{"memory": {"-1": 1}}"#,
            r#"{"memory": {"4294967296": 1}}"#,
            r#"{"memory": {"0x10": 1}}"#,
            r#"{"memory": {"1": [1, 2, 3, 4, 5]}}"#,
            r#"{"memory": {"1": "18446744069414584321"}}"#,
            r#"{"memory": {"1": 1, "01": 2}}"#,
            r#"{"memory": {"1": 1, "1": 2}}"#,
            r#"{"public": ["0x10"]}"#,
            r#"{"public": [" 12 "]}"#,
            r#"{"public": ["+1"]}"#,
            r#"{"public": [""]}"#,
            r#"{"secret": ["1e3"]}"#,
            r#"{"public": [1], "public": [2]}"#,
            r#"{"public": [1], "secret": [2], "secret": [3]}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_entries() {
        let i = parse(r#"{"memory": {"7": 5, "2": [1, "2", 3]}}"#).unwrap();
        let f = Felt::new;
        assert_eq!(i.memory, vec![(2, [f(1), f(2), f(3), f(0)]), (7, [f(5), f(0), f(0), f(0)])]);
    }

    #[test]
    fn advice_map_and_merkle_store() {
        let i = parse(
            r#"{"advice_map": [{"key": [1, 2, 3, 4], "values": [5, "6"]}],
                "merkle_store": [{"leaves": [[1, 0, 0, 0], [2, 0, 0, 0]]},
                                 {"depth": 64, "sparse": {"18446744069414584320": [1, 1, 1, 1]}},
                                 {"nodes": [[[1, 0, 0, 0], [2, 0, 0, 0]]]}]}"#,
        )
        .unwrap();
        let f = Felt::new;
        assert_eq!(i.advice_map.get(&[f(1), f(2), f(3), f(4)]), Some(&[f(5), f(6)][..]));
        assert_eq!(i.merkle_roots.len(), 3);
        // the full tree of two leaves and the node of the same two children are one root
        assert_eq!(i.merkle_roots[0], i.merkle_roots[2]);
        assert!(i.merkle_store.knows(&i.merkle_roots[1]));
        for bad in [
            r#"{"advice_map": {"1": 2}}"#,
            r#"{"advice_map": [{"key": [1, 2, 3], "values": []}]}"#,
            r#"{"advice_map": [{"values": []}]}"#,
            r#"{"advice_map": [{"key": [1, 2, 3, 4], "values": [], "extra": 1}]}"#,
            r#"{"advice_map": [{"key": [1, 2, 3, 4]}, {"key": [1, 2, 3, 4]}]}"#,
            r#"{"merkle_store": [{"leaves": [[1, 0, 0, 0], [2, 0, 0, 0], [3, 0, 0, 0]]}]}"#,
            r#"{"merkle_store": [{"leaves": []}]}"#,
            r#"{"merkle_store": [{"depth": 0, "sparse": {}}]}"#,
            r#"{"merkle_store": [{"depth": 3, "sparse": {"8": [1, 1, 1, 1]}}]}"#,
            r#"{"merkle_store": [{"depth": 64, "sparse": {"18446744069414584321": [1, 1, 1, 1]}}]}"#,
            r#"{"merkle_store": [{"depth": 64, "sparse": {"0x1": [1, 1, 1, 1]}}]}"#,
            r#"{"merkle_store": [{"sparse": {}}]}"#,
            r#"{"merkle_store": [{"depth": 4, "leaves": [[1, 0, 0, 0], [2, 0, 0, 0]]}]}"#,
            r#"{"merkle_store": [{"leaves": [[1, 0, 0, 0], [2, 0, 0, 0]], "nodes": []}]}"#,
            r#"{"merkle_store": [{"nodes": []}]}"#,
            r#"{"merkle_store": [{"nodes": [[[1, 0, 0, 0]]]}]}"#,
            r#"{"merkle_store": [{}]}"#,
            r#"{"merkle_store": {"leaves": []}}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn output_lists() {
        assert_eq!(parse_list("1,2, 3").unwrap().len(), 3);
        assert!(parse_list("").unwrap().is_empty());
        assert!(parse_list("1,,2").is_err());
        // what `run` prints, one value per line, is a list too
        assert_eq!(parse_list("5\n0\n7\n").unwrap(), [Felt::new(5), Felt::new(0), Felt::new(7)]);
        assert_eq!(parse_list(" 5  7 ").unwrap(), [Felt::new(5), Felt::new(7)]);
        assert!(parse_list("5 7,8").is_err());
        assert!(parse_list("18446744069414584321").is_err());
    }
}
