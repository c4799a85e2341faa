//! The CLI contract scripts rely on: outputs, exit codes, JSON, and clean failures.

use std::path::PathBuf;
use std::process::{Command, Output};

fn distaff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_distaff")).args(args).output().expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("distaff-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

fn example(name: &str) -> String {
    format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn run_prints_outputs_and_hash_is_stable_hex() {
    let o = distaff(&["run", &example("fibonacci.dasm"), "--inputs", &example("fibonacci.inputs.json")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "20365011074\n");
    let o =
        distaff(&["run", &example("fibonacci.dasm"), "--inputs", &example("fibonacci.inputs.json"), "--outputs", "3"]);
    assert_eq!(stdout(&o), "20365011074\n12586269025\n0\n");
    let h1 = stdout(&distaff(&["hash", &example("fibonacci.dasm")]));
    let reformatted = temp("fib2.dasm", b"# other comments\nbegin repeat.50 swap dup.1 add end end");
    let h2 = stdout(&distaff(&["hash", reformatted.to_str().unwrap()]));
    assert_eq!(h1, h2);
    assert_eq!(h1.trim().len(), 64);
    assert!(h1.trim().chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let o = distaff(&["run", &example("fibonacci.dasm"), "--inputs", &example("fibonacci.inputs.json"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["outputs"][0], "20365011074");
    assert_eq!(v["cycles"], 152); // 150 rows of instructions, padded to whole 8-row cycles
}

#[test]
fn prove_then_verify_and_reject_wrong_claims() {
    let proof = temp("fib.proof", b"");
    let proof = proof.to_str().unwrap();
    let o = distaff(&[
        "prove",
        &example("fibonacci.dasm"),
        "--inputs",
        &example("fibonacci.inputs.json"),
        "--proof",
        proof,
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["outputs"][0], "20365011074");
    assert_eq!(v["security_bits"], 97);
    let hash = v["program_hash"].as_str().unwrap().to_string();
    let inputs = example("fibonacci.inputs.json");
    let ok = distaff(&[
        "verify",
        "--proof",
        proof,
        "--program-hash",
        &hash,
        "--inputs",
        &inputs,
        "--outputs",
        "20365011074",
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("verified") && stdout(&ok).contains("97-bit"));
    let verify_json = |outputs: &str| -> serde_json::Value {
        let args =
            ["verify", "--proof", proof, "--program-hash", &hash, "--inputs", &inputs, "--outputs", outputs, "--json"];
        serde_json::from_str(&stdout(&distaff(&args))).unwrap()
    };
    assert_eq!(verify_json("20365011074")["verified"], true);

    let other_inputs = temp("other.json", br#"{"public": [2, 0]}"#);
    let wrong_hash = "0".repeat(64);
    let cases: Vec<Vec<&str>> = vec![
        vec!["--program-hash", &hash, "--inputs", &inputs, "--outputs", "20365011075"],
        vec!["--program-hash", &hash, "--inputs", &inputs, "--outputs", "20365011074,1"],
        vec!["--program-hash", &wrong_hash, "--inputs", &inputs, "--outputs", "20365011074"],
        vec!["--program-hash", &hash, "--inputs", other_inputs.to_str().unwrap(), "--outputs", "20365011074"],
        vec!["--program-hash", &hash, "--outputs", "20365011074"],
        vec!["--program-hash", &hash, "--inputs", &inputs, "--outputs", "20365011074", "--min-security", "128"],
    ];
    for case in cases {
        let mut args = vec!["verify", "--proof", proof];
        args.extend(case.iter());
        let o = distaff(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("proof rejected"), "{}", stderr(&o));
    }
    assert_eq!(verify_json("1")["verified"], false);

    // corrupt files: empty, garbage, truncated
    let bytes = std::fs::read(proof).unwrap();
    for (name, data) in
        [("empty", vec![]), ("garbage", vec![0xAB; 5000]), ("truncated", bytes[..bytes.len() / 2].to_vec())]
    {
        let p = temp(name, &data);
        let o = distaff(&[
            "verify",
            "--proof",
            p.to_str().unwrap(),
            "--program-hash",
            &hash,
            "--inputs",
            &inputs,
            "--outputs",
            "20365011074",
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

#[test]
fn bad_inputs_and_programs_are_clear_errors() {
    let prog = example("fibonacci.dasm");
    for (json, needle) in [
        (r#"{"public": [-1]}"#, "public[0]"),
        (r#"{"public": [1.5]}"#, "public[0]"),
        (r#"{"secret": ["18446744069414584321"]}"#, "not a field element"),
        (r#"{"publc": [1]}"#, "unknown key 'publc'"),
        (r#"{"public": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}"#, "17 public inputs"),
        ("not json", "not valid JSON"),
    ] {
        let p = temp("bad.json", json.as_bytes());
        let o = distaff(&["run", &prog, "--inputs", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{json}");
        assert!(stderr(&o).contains(needle), "{json}: {}", stderr(&o));
    }
    let bad = temp("bad.dasm", b"begin\n  push.1\n  ad\nend");
    let o = distaff(&["run", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("line 3, column 3") && stderr(&o).contains("did you mean 'add'"), "{}", stderr(&o));
    let under = temp("under.dasm", b"begin add end");
    let o = distaff(&["run", under.to_str().unwrap()]);
    assert!(stderr(&o).contains("stack underflow"), "{}", stderr(&o));
    let o = distaff(&["run", "/nonexistent/prog.dasm"]);
    assert!(stderr(&o).contains("/nonexistent/prog.dasm"));
    let o = distaff(&["prove", &prog, "--security", "100", "--proof", "/tmp/x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = distaff(&["verify", "--proof", "/tmp/x", "--program-hash", "xyz", "--outputs", "1"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn every_example_runs_with_its_documented_output() {
    for (program, inputs, expected) in [
        ("fibonacci.dasm", "fibonacci.inputs.json", "20365011074\n"),
        ("secret_product.dasm", "secret_product.inputs.json", "1\n"),
    ] {
        let o = distaff(&["run", &example(program), "--inputs", &example(inputs)]);
        assert!(o.status.success(), "{program}: {}", stderr(&o));
        assert_eq!(stdout(&o), expected, "{program}");
    }
    // the secret factors must multiply to the public product
    let wrong = temp("wrong_factors.json", br#"{"public": [221], "secret": [11, 17]}"#);
    let o = distaff(&["run", &example("secret_product.dasm"), "--inputs", wrong.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("assertion failed"), "{}", stderr(&o));
}

#[test]
fn the_128_bit_rescue_preset_proves_and_verifies() {
    let proof = temp("product.proof", b"");
    let proof = proof.to_str().unwrap();
    let inputs = example("secret_product.inputs.json");
    let o = distaff(&[
        "prove",
        &example("secret_product.dasm"),
        "--inputs",
        &inputs,
        "--security",
        "128",
        "--hash",
        "rescue",
        "--proof",
        proof,
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["security_bits"], 128);
    assert_eq!(v["hash"], "rescue");
    let hash = v["program_hash"].as_str().unwrap().to_string();
    let ok = distaff(&[
        "verify",
        "--proof",
        proof,
        "--program-hash",
        &hash,
        "--inputs",
        &inputs,
        "--outputs",
        "1",
        "--min-security",
        "128",
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("128-bit"));
}
