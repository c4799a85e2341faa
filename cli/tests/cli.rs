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
    // the stack holds two values: `run` prints them, and refuses to invent a third
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("the final stack holds 2 values"), "{}", stderr(&o));
    let o =
        distaff(&["run", &example("fibonacci.dasm"), "--inputs", &example("fibonacci.inputs.json"), "--outputs", "2"]);
    assert_eq!(stdout(&o), "20365011074\n12586269025\n");
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
    // a hiding proof (the default) pays for its masks with queries: at least the preset's bits
    assert!(v["security_bits"].as_u64().unwrap() >= 96, "{v}");
    assert_eq!(v["hiding"], true);
    // the time of each phase, every protocol step among them, summing to at most the total
    let phases = v["phases_ms"].as_object().expect("phases_ms is an object");
    for phase in
        ["execution", "trace LDE", "trace commitment", "constraint evaluation", "DEEP composition", "FRI", "queries"]
    {
        assert!(phases.get(phase).and_then(|t| t.as_f64()).is_some_and(|t| t >= 0.0), "{phase} in {v}");
    }
    let sum: f64 = phases.values().filter_map(|t| t.as_f64()).sum();
    assert!(sum <= v["proving_time_ms"].as_f64().unwrap() + 1.0, "{v}");
    // the memory estimate the refusal uses, for the columns this trace stores
    let stored = v["stored_columns"].as_u64().unwrap() as usize;
    assert!(stored > 12 && stored < 58, "{v}");
    let estimate = distaff_prover::estimated_memory(
        v["trace_length"].as_u64().unwrap() as usize,
        stored,
        v["aux_columns"].as_u64().unwrap() as usize,
        &distaff_prover::ProofOptions::with_96_bit_security(distaff_prover::HashFunction::Blake3_256),
        distaff_prover::LdeStorage::Stored,
    );
    assert_eq!(v["estimated_memory_bytes"].as_u64(), Some(estimate), "{v}");
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
    assert!(stdout(&ok).contains("verified") && stdout(&ok).contains("a hiding proof"), "{}", stdout(&ok));
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
        vec!["--program-hash", &hash, "--inputs", &inputs, "--outputs", "20365011074", "--min-security", "128"],
    ];
    // once anything is expected, leaving out --inputs expects none (as it always has): the
    // proof's inputs were 1, 0; --any-inputs accepts whatever the claim names
    let o = distaff(&["verify", "--proof", proof, "--program-hash", &hash, "--outputs", "20365011074"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("public inputs differ: the proof is for 1,0, you expected none"), "{}", stderr(&o));
    let o = distaff(&["verify", "--proof", proof, "--program-hash", &hash, "--outputs", "20365011074", "--any-inputs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("public inputs: 1,0"), "{}", stdout(&o));
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
        assert_eq!(o.status.code(), Some(3), "{json}");
        assert!(stderr(&o).contains(needle), "{json}: {}", stderr(&o));
    }
    let bad = temp("bad.dasm", b"begin\n  push.1\n  ad\nend");
    let o = distaff(&["run", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
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
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("'assert_eq' failed at cycle 16: the values differ (221 ≠ 187)"), "{}", stderr(&o));
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

/// `python3 examples/collatz.py 6`: the start value, then per step the 31 bits of n / 2 (most
/// significant first) and the parity bit. 6 → 3 → 10 → 5 → 16 → 8 → 4 → 2 → 1: 8 steps.
const COLLATZ_6: &str = r#"{"secret":[6,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0]}"#;

/// Proves `program` with `inputs` into `proof`, returning the JSON report.
fn prove_json(program: &str, inputs: &str, proof: &str) -> serde_json::Value {
    let o = distaff(&["prove", program, "--inputs", inputs, "--proof", proof, "--json"]);
    assert!(o.status.success(), "{program}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn verify(proof: &str, hash: &str, inputs: Option<&str>, outputs: &str) -> Output {
    let mut args = vec!["verify", "--proof", proof, "--program-hash", hash, "--outputs", outputs];
    if let Some(inputs) = inputs {
        args.extend(["--inputs", inputs]);
    }
    distaff(&args)
}

fn program_hash(program: &str) -> String {
    let o = distaff(&["hash", program]);
    assert!(o.status.success(), "{program}: {}", stderr(&o));
    stdout(&o).trim().to_string()
}

#[test]
fn control_flow_examples_run_with_their_documented_outputs() {
    for (program, inputs, expected) in [
        ("collatz.dasm", "collatz.inputs.json", "111\n"),
        ("membership_discount.dasm", "membership_discount.inputs.json", "225000\n"),
        ("fibonacci_while.dasm", "fibonacci_while.inputs.json", "20365011074\n"),
    ] {
        let o = distaff(&["run", &example(program), "--inputs", &example(inputs)]);
        assert!(o.status.success(), "{program}: {}", stderr(&o));
        assert_eq!(stdout(&o), expected, "{program}");
    }
    // the loop and the unrolled Fibonacci compute the same value but are different programs
    assert_ne!(program_hash(&example("fibonacci_while.dasm")), program_hash(&example("fibonacci.dasm")));
}

#[test]
fn membership_discount_proves_both_branches_under_one_hash() {
    let program = example("membership_discount.dasm");
    let hash = program_hash(&program);
    let member = example("membership_discount.inputs.json");
    let non_member = temp("non_member.json", br#"{"public": [2500], "secret": [0]}"#);
    let non_member = non_member.to_str().unwrap();
    let o = distaff(&["run", &program, "--inputs", non_member]);
    assert_eq!(stdout(&o), "250000\n", "{}", stderr(&o));

    let member_proof = temp("member.proof", b"");
    let member_proof = member_proof.to_str().unwrap();
    let non_member_proof = temp("non_member.proof", b"");
    let non_member_proof = non_member_proof.to_str().unwrap();
    let v = prove_json(&program, &member, member_proof);
    assert_eq!((v["outputs"][0].as_str(), v["program_hash"].as_str()), (Some("225000"), Some(hash.as_str())));
    let v = prove_json(&program, non_member, non_member_proof);
    assert_eq!((v["outputs"][0].as_str(), v["program_hash"].as_str()), (Some("250000"), Some(hash.as_str())));

    // both proofs verify against the same hash and public input; the secret never leaves
    let o = verify(member_proof, &hash, Some(&member), "225000");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = verify(non_member_proof, &hash, Some(non_member), "250000");
    assert!(o.status.success(), "{}", stderr(&o));
    let public_only = temp("price_only.json", br#"{"public": [2500]}"#);
    let o = verify(member_proof, &hash, Some(public_only.to_str().unwrap()), "225000");
    assert!(o.status.success(), "{}", stderr(&o));

    // but neither proves the other branch's output, nor another price
    for (proof, outputs) in [(member_proof, "250000"), (non_member_proof, "225000")] {
        let o = verify(proof, &hash, Some(&member), outputs);
        assert_eq!(o.status.code(), Some(1), "{proof} {outputs}: {}", stdout(&o));
        assert!(stderr(&o).contains("proof rejected"), "{}", stderr(&o));
    }
    let other_price = temp("other_price.json", br#"{"public": [2600]}"#);
    let o = verify(member_proof, &hash, Some(other_price.to_str().unwrap()), "225000");
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));

    // a non-binary condition is an execution error, not a proof
    let two = temp("member_two.json", br#"{"public": [2500], "secret": [2]}"#);
    let o = distaff(&["run", &program, "--inputs", two.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("not binary"), "{}", stderr(&o));
}

#[test]
fn fibonacci_while_proves_and_verifies() {
    let program = example("fibonacci_while.dasm");
    let inputs = example("fibonacci_while.inputs.json");
    let proof = temp("fib_while.proof", b"");
    let proof = proof.to_str().unwrap();
    let v = prove_json(&program, &inputs, proof);
    assert_eq!(v["outputs"][0], "20365011074");
    let hash = program_hash(&program);
    assert_eq!(v["program_hash"].as_str(), Some(hash.as_str()));
    let o = verify(proof, &hash, Some(&inputs), "20365011074");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("verified"), "{}", stdout(&o));
    // not a proof of the straight-line Fibonacci program, nor of another output or n
    let unrolled = program_hash(&example("fibonacci.dasm"));
    let n49 = temp("fib_while_49.json", br#"{"public": [49, 1, 0]}"#);
    for (hash, inputs, outputs) in [
        (unrolled.as_str(), inputs.as_str(), "20365011074"),
        (hash.as_str(), inputs.as_str(), "12586269025"),
        (hash.as_str(), n49.to_str().unwrap(), "20365011074"),
    ] {
        let o = verify(proof, hash, Some(inputs), outputs);
        assert_eq!(o.status.code(), Some(1), "{hash} {inputs} {outputs}: {}", stdout(&o));
        assert!(stderr(&o).contains("proof rejected"), "{}", stderr(&o));
    }
}

#[test]
fn collatz_proves_and_verifies_and_rejects_wrong_hints() {
    let program = example("collatz.dasm");
    let inputs = temp("collatz6.json", COLLATZ_6.as_bytes());
    let inputs = inputs.to_str().unwrap();
    let o = distaff(&["run", &program, "--inputs", inputs]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "8\n");

    let proof = temp("collatz6.proof", b"");
    let proof = proof.to_str().unwrap();
    let v = prove_json(&program, inputs, proof);
    assert_eq!(v["outputs"][0], "8");
    let hash = program_hash(&program);
    assert_eq!(v["program_hash"].as_str(), Some(hash.as_str()));
    // no public inputs: the start value is secret
    let o = verify(proof, &hash, None, "8");
    assert!(o.status.success(), "{}", stderr(&o));
    for outputs in ["7", "111"] {
        let o = verify(proof, &hash, None, outputs);
        assert_eq!(o.status.code(), Some(1), "{outputs}: {}", stdout(&o));
        assert!(stderr(&o).contains("proof rejected"), "{}", stderr(&o));
    }

    // a wrong hint fails execution (and so proving) with a clear error; no proof is written
    let mut json: serde_json::Value = serde_json::from_str(COLLATZ_6).unwrap();
    let secret = json["secret"].as_array().unwrap().clone();
    assert_eq!(secret.len(), 1 + 8 * 32);
    // hint 31 is the low bit of 6 / 2 = 3, hint 1 its top bit, hint 32 the parity bit; flip each,
    // and set a bit of the first step to 2
    for (index, replacement) in [(31, None), (1, None), (32, None), (5, Some(2u64))] {
        let mut bad = secret.clone();
        bad[index] = replacement.unwrap_or_else(|| 1 - bad[index].as_u64().unwrap()).into();
        assert_ne!(bad[index], secret[index]);
        json["secret"] = bad.into();
        let file = temp(&format!("collatz6_bad_{index}.json"), json.to_string().as_bytes());
        let o = distaff(&["run", &program, "--inputs", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(4), "hint {index}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.contains("assertion failed") || err.contains("'assert_eq' failed") || err.contains("not binary"),
            "hint {index}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        let bad_proof = temp(&format!("collatz6_bad_{index}.proof"), b"");
        std::fs::remove_file(&bad_proof).unwrap();
        let o =
            distaff(&["prove", &program, "--inputs", file.to_str().unwrap(), "--proof", bad_proof.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(4), "hint {index}: {}", stdout(&o));
        assert!(!bad_proof.exists(), "hint {index}: a proof was written");
    }
}

#[test]
fn every_lde_storage_writes_the_same_proof_and_says_which_it_used() {
    let dir = std::env::temp_dir().join(format!("distaff-cli-lowmem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (prog, inputs) = (example("fibonacci_while.dasm"), example("fibonacci_while.inputs.json"));
    // (without zero knowledge, so that the proofs can be compared byte for byte); a short trace
    // is stored by default
    let cases: [(&str, &[&str], &str); 4] = [
        ("default", &[], "stored"),
        ("stored", &["--lde", "stored"], "stored"),
        ("streamed", &["--lde", "streamed"], "streamed"),
        ("low-memory", &["--low-memory"], "streamed"),
    ];
    let mut proofs = Vec::new();
    for (name, extra, used) in cases {
        let path = dir.join(format!("{name}.proof"));
        let mut args =
            vec!["prove", &prog, "--inputs", &inputs, "--no-zk", "--json", "--proof", path.to_str().unwrap()];
        args.extend(extra);
        let o = distaff(&args);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(report["lde"], used, "{name}");
        proofs.push(std::fs::read(&path).unwrap());
        let o = verify(path.to_str().unwrap(), &program_hash(&prog), Some(&inputs), "20365011074");
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert!(stdout(&o).contains("without zero knowledge"), "{}", stdout(&o));
    }
    assert!(proofs.windows(2).all(|w| w[0] == w[1]));
    // the text report says it too
    let path = dir.join("text.proof");
    let o = distaff(&["prove", &prog, "--inputs", &inputs, "--lde", "streamed", "--proof", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(", streamed LDE)"), "{}", stdout(&o));
    // the shorthand and the option say the same thing twice: refused rather than guessed
    let path = dir.join("both.proof");
    let o = distaff(&[
        "prove",
        &prog,
        "--inputs",
        &inputs,
        "--low-memory",
        "--lde",
        "stored",
        "--proof",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
    assert!(!path.exists());
}

#[test]
fn execution_errors_point_at_the_source() {
    let program =
        temp("located.dasm", b"proc.sq\n  dup mul\nend\nbegin\n  push.2\n  if.true\n    exec.sq\n  end\nend\n");
    let o = distaff(&["run", program.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(err.contains("condition 2 is not binary"), "{err}");
    assert!(err.contains(&format!("{}:6:3", program.display())), "{err}");
    assert!(err.contains("6 |   if.true"), "{err}");
    let program =
        temp("located2.dasm", b"proc.sq\n  dup mul\nend\nbegin\n  push.1\n  if.true\n    exec.sq\n  end\nend\n");
    let o = distaff(&["run", program.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(4));
    // --json: the error is an object a script can read without parsing the message
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let err = &v["error"];
    assert_eq!(err["kind"], "execution", "{err}");
    assert_eq!(err["exit_code"], 4, "{err}");
    assert!(err["message"].as_str().unwrap().contains("stack underflow"), "{err}");
    assert_eq!(err["file"], program.display().to_string(), "{err}");
    assert_eq!((err["line"].as_u64(), err["column"].as_u64()), (Some(2), Some(3)), "{err}");
}

#[test]
fn a_proof_that_cannot_fit_in_memory_is_refused_up_front() {
    let proof = std::env::temp_dir().join(format!("distaff-cli-nomem-{}.proof", std::process::id()));
    let _ = std::fs::remove_file(&proof);
    let (prog, inputs) = (example("collatz.dasm"), example("collatz.inputs.json"));
    let o = distaff(&["prove", &prog, "--inputs", &inputs, "--proof", proof.to_str().unwrap(), "--max-memory", "0.05"]);
    assert_eq!(o.status.code(), Some(5));
    let err = stderr(&o);
    assert!(err.contains("2^15-row trace") && err.contains("needs about") && err.contains("MiB"), "{err}");
    assert!(!proof.exists(), "no proof is written");
    // within the limit it proves; with --quiet (and standard error not a terminal) it prints
    // nothing on standard error either way
    for quiet in [&[][..], &["--quiet"][..]] {
        let mut args =
            vec!["prove", &prog, "--inputs", &inputs, "--proof", proof.to_str().unwrap(), "--max-memory", "8"];
        args.extend_from_slice(quiet);
        let o = distaff(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stderr(&o), "", "{quiet:?}");
    }
    let _ = std::fs::remove_file(&proof);
}

const SORTED: &str = "0,7,13,42,42,93,180,255";

#[test]
fn memory_and_deep_stack_examples_run_with_their_documented_outputs() {
    for (program, inputs, outputs, expected, cycles) in [
        ("array_sum.dasm", Some("array_sum.inputs.json"), "1", "381", 424),
        ("bubble_sort.dasm", Some("bubble_sort.inputs.json"), "8", SORTED, 5224),
        ("deep_stack.dasm", None, "1", "85761906966530", 328),
    ] {
        let mut args = vec!["run".to_string(), example(program), "--outputs".into(), outputs.into(), "--json".into()];
        if let Some(inputs) = inputs {
            args.extend(["--inputs".into(), example(inputs)]);
        }
        let o = Command::new(env!("CARGO_BIN_EXE_distaff")).args(&args).output().unwrap();
        assert!(o.status.success(), "{program}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let got: Vec<&str> = v["outputs"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
        assert_eq!(got.join(","), expected, "{program}");
        assert_eq!(v["cycles"], cycles, "{program}");
    }

    // the sort checks its secrets are bytes: 256 fails the table lookup
    let not_a_byte = temp("sort_256.json", br#"{"secret": [93, 7, 256, 42, 0, 180, 42, 13]}"#);
    let o = distaff(&["run", &example("bubble_sort.dasm"), "--inputs", not_a_byte.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("assertion failed"), "{}", stderr(&o));
    // without its memory the array sums to 0
    let no_memory = temp("sum_no_memory.json", br#"{"public": [16]}"#);
    let o = distaff(&["run", &example("array_sum.dasm"), "--inputs", no_memory.to_str().unwrap()]);
    assert_eq!(stdout(&o), "0\n", "{}", stderr(&o));

    // the stack is unbounded while running, but at most 16 values may remain at the end
    let deep = temp("deep17.dasm", b"begin repeat.17 push.1 end end");
    let o = distaff(&["run", deep.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("17 values") && stderr(&o).contains("at most 16"), "{}", stderr(&o));
    let o = distaff(&["run", temp("deep16.dasm", b"begin repeat.17 push.1 end add end").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "2\n");
    // an address must be below 2^32
    let far = temp("far.dasm", b"begin\n  push.4294967296 mem_load\nend");
    let o = distaff(&["run", far.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("4294967296 is not below 2^32") && stderr(&o).contains(":2:19"), "{}", stderr(&o));
}

#[test]
fn memory_and_deep_stack_examples_prove_and_verify() {
    // the deep stack needs no inputs; the sort's are secret: neither needs an inputs file to verify
    let program = example("deep_stack.dasm");
    let proof = temp("deep_stack.proof", b"");
    let proof = proof.to_str().unwrap();
    let o = distaff(&["prove", &program, "--proof", proof, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["outputs"][0], "85761906966530");
    let hash = program_hash(&program);
    assert!(verify(proof, &hash, None, "85761906966530").status.success());
    let o = verify(proof, &hash, None, "85761906966529");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("proof rejected"), "{}", stderr(&o));

    let program = example("bubble_sort.dasm");
    let proof = temp("bubble_sort.proof", b"");
    let proof = proof.to_str().unwrap();
    let inputs = example("bubble_sort.inputs.json");
    let o = distaff(&["prove", &program, "--inputs", &inputs, "--outputs", "8", "--proof", proof, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["outputs"].as_array().unwrap().len(), 8);
    assert_eq!(v["outputs"][7], "255");
    let hash = program_hash(&program);
    let o = verify(proof, &hash, None, SORTED);
    assert!(o.status.success(), "{}", stderr(&o));
    for wrong in ["0,7,13,42,42,93,255,180", "93,7,255,42,0,180,42,13", "0,7,13,42,42,93,180"] {
        let o = verify(proof, &hash, None, wrong);
        assert_eq!(o.status.code(), Some(1), "{wrong}: {}", stdout(&o));
        assert!(stderr(&o).contains("proof rejected"), "{}", stderr(&o));
    }
}

#[test]
fn a_memory_proof_verifies_only_against_its_initial_memory() {
    let program = example("array_sum.dasm");
    let inputs = example("array_sum.inputs.json");
    let proof = temp("array_sum.proof", b"");
    let proof = proof.to_str().unwrap();
    let v = prove_json(&program, &inputs, proof);
    assert_eq!(v["outputs"][0], "381");
    let hash = program_hash(&program);
    let o = verify(proof, &hash, Some(&inputs), "381");
    assert!(o.status.success(), "{}", stderr(&o));

    // the same claim with the memory written differently (a lone value is lane 0 of a word)
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&inputs).unwrap()).unwrap();
    let mut same = json.clone();
    same["memory"]["0"] = serde_json::json!([2, 0, 0, 0]);
    same["memory"]["15"] = serde_json::json!("53");
    let same = temp("sum_same.json", same.to_string().as_bytes());
    let o = verify(proof, &hash, Some(same.to_str().unwrap()), "381");
    assert!(o.status.success(), "{}", stderr(&o));

    // one value changed (lane 0, and a lane the program never reads), an entry added, one
    // removed, the memory left out, no inputs file at all: all rejected
    let mut cases: Vec<(&str, serde_json::Value)> = Vec::new();
    let mut changed = json.clone();
    changed["memory"]["7"] = 20.into();
    cases.push(("lane 0 changed", changed));
    let mut lane3 = json.clone();
    lane3["memory"]["15"] = serde_json::json!([53, 0, 0, 1]);
    cases.push(("lane 3 changed", lane3));
    let mut added = json.clone();
    added["memory"]["100"] = 5.into();
    cases.push(("entry added", added));
    let mut removed = json.clone();
    removed["memory"].as_object_mut().unwrap().remove("3");
    cases.push(("entry removed", removed));
    let mut no_memory = json.clone();
    no_memory.as_object_mut().unwrap().remove("memory");
    cases.push(("no memory", no_memory));
    for (i, (what, claim)) in cases.iter().enumerate() {
        let file = temp(&format!("sum_claim_{i}.json"), claim.to_string().as_bytes());
        let o = verify(proof, &hash, Some(file.to_str().unwrap()), "381");
        assert_eq!(o.status.code(), Some(1), "{what}: {}", stdout(&o));
        assert!(stderr(&o).contains("proof rejected"), "{what}: {}", stderr(&o));
    }
    // without --inputs no memory is expected; with --any-inputs the claim's memory is shown
    let o = verify(proof, &hash, None, "381");
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("differ"), "{}", stderr(&o));
    let o = distaff(&["verify", "--proof", proof, "--program-hash", &hash, "--outputs", "381", "--any-inputs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("initial memory: ") && stdout(&o).contains("0: [2,0,0,0]"), "{}", stdout(&o));
}

#[test]
fn malformed_memory_entries_are_clear_errors() {
    let program = example("array_sum.dasm");
    let proof = temp("never_written.proof", b"");
    std::fs::remove_file(&proof).unwrap();
    let proof = proof.to_str().unwrap();
    let hash = "0".repeat(64);
    for (json, needle) in [
        (r#"{"memory": [1, 2]}"#, "'memory' must be an object"),
        (r#"{"memory": 5}"#, "'memory' must be an object"),
        (r#"{"memory": {"x": 1}}"#, r#"memory["x"]: the address must be a decimal integer below 2^32"#),
        (r#"{"memory": {"-1": 1}}"#, r#"memory["-1"]: the address"#),
        (r#"{"memory": {"0x10": 1}}"#, r#"memory["0x10"]: the address"#),
        (
            r#"{"memory": {"4294967296": 1}}"#,
            r#"memory["4294967296"]: the address must be a decimal integer below 2^32"#,
        ),
        (r#"{"memory": {"1": [1, 2, 3, 4, 5]}}"#, r#"memory["1"]: a word has at most 4 values, found 5"#),
        (r#"{"memory": {"1": -3}}"#, r#"memory["1"][0]"#),
        (r#"{"memory": {"1": [0, "18446744069414584321"]}}"#, r#"memory["1"][1]"#),
        (r#"{"memory": {"1": {"a": 1}}}"#, r#"memory["1"][0]: expected a number"#),
        (r#"{"memory": {"1": 1, "01": 2}}"#, "memory: address 1 is given twice"),
    ] {
        let file = temp("bad_memory.json", json.as_bytes());
        let file = file.to_str().unwrap();
        for args in [
            vec!["run", &program, "--inputs", file],
            vec!["prove", &program, "--inputs", file, "--proof", proof],
            vec!["verify", "--proof", proof, "--program-hash", &hash, "--inputs", file, "--outputs", "381"],
        ] {
            let o = distaff(&args);
            assert_eq!(o.status.code(), Some(3), "{json} {args:?}");
            let err = stderr(&o);
            assert!(err.contains("invalid inputs") && err.contains(needle), "{json} {args:?}: {err}");
            assert!(err.contains("bad_memory.json"), "names the file: {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
        assert!(!std::path::Path::new(proof).exists(), "{json}: a proof was written");
    }
}

#[test]
fn proofs_hide_by_default_and_say_so() {
    let dir = std::env::temp_dir().join(format!("distaff-cli-zk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.proof"), dir.join("b.proof"));
    let (prog, inputs) = (example("secret_product.dasm"), example("secret_product.inputs.json"));
    for path in [&a, &b] {
        let o = distaff(&["prove", &prog, "--inputs", &inputs, "--proof", path.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("zero knowledge: hiding"), "{}", stdout(&o));
    }
    // two hiding proofs of one statement differ (fresh randomness), and both verify
    assert_ne!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    for path in [&a, &b] {
        let o = distaff(&[
            "verify",
            "--proof",
            path.to_str().unwrap(),
            "--program-hash",
            &program_hash(&prog),
            "--inputs",
            &inputs,
            "--outputs",
            "1",
            "--json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!((v["verified"].clone(), v["hiding"].clone()), (true.into(), true.into()));
    }
    // --no-zk: deterministic, and reported as such
    let o = distaff(&["prove", &prog, "--inputs", &inputs, "--no-zk", "--json", "--proof", a.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["hiding"], false);
    let first = std::fs::read(&a).unwrap();
    let o = distaff(&["prove", &prog, "--inputs", &inputs, "--no-zk", "--proof", a.to_str().unwrap()]);
    assert!(o.status.success() && stdout(&o).contains("zero knowledge: off"), "{}", stdout(&o));
    assert_eq!(std::fs::read(&a).unwrap(), first);
}

fn distaff_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_distaff"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    // (a command that fails before reading its input closes the pipe: not the test's concern)
    if let Err(e) = child.stdin.take().expect("piped").write_all(input) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().expect("runs")
}

#[test]
fn each_kind_of_failure_has_its_exit_code_and_json_object() {
    let fib = example("fibonacci.dasm");
    let json = |o: &Output| -> serde_json::Value { serde_json::from_str(&stdout(o)).expect("one JSON object") };
    // 3: a file that is missing, a program that does not assemble, inputs that are invalid
    let o = distaff(&["run", "/nonexistent/prog.dasm", "--json"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(json(&o)["error"]["kind"], "io");
    assert_eq!(json(&o)["error"]["file"], "/nonexistent/prog.dasm");
    let bad = temp("kinds_bad.dasm", b"begin\n  push.1\n  ad\nend");
    let o = distaff(&["hash", bad.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(3));
    let err = &json(&o)["error"];
    assert_eq!(err["kind"], "assembly", "{err}");
    assert_eq!((err["line"].as_u64(), err["column"].as_u64()), (Some(3), Some(3)), "{err}");
    assert!(err["message"].as_str().unwrap().contains("did you mean 'add'"), "{err}");
    assert!(!err["message"].as_str().unwrap().contains('^'), "the message has no caret picture: {err}");
    let inputs = temp("kinds_inputs.json", br#"{"public": ["0x10"]}"#);
    let o = distaff(&["run", &fib, "--inputs", inputs.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(json(&o)["error"]["kind"], "inputs");
    // 4: the program fails
    let o = distaff_stdin(&["run", "-", "--json"], b"begin push.1 assert push.0 assert end");
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(json(&o)["error"]["kind"], "execution");
    assert_eq!(json(&o)["error"]["file"], "<stdin>");
    // 2: the command line
    let o = distaff(&["run", &fib, "--inputs", &example("fibonacci.inputs.json"), "--outputs", "5", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json(&o)["error"]["kind"], "usage");
    // (1, a rejected proof, and 5, too little memory, are in the tests above)
}

#[test]
fn programs_read_from_standard_input_and_hash_prints_json() {
    let source = std::fs::read(example("fibonacci.dasm")).unwrap();
    let from_file = stdout(&distaff(&["hash", &example("fibonacci.dasm")]));
    let o = distaff_stdin(&["hash", "-"], &source);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), from_file);
    let o = distaff(&["hash", &example("fibonacci.dasm"), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["program_hash"].as_str().map(|h| format!("{h}\n")), Some(from_file));
    let o = distaff_stdin(&["run", "-", "--inputs", &example("fibonacci.inputs.json")], &source);
    assert_eq!(stdout(&o), "20365011074\n", "{}", stderr(&o));
}

#[test]
fn prove_refuses_an_unwritable_proof_path_before_anything_else() {
    // the program would fail when executed (exit 4): the path is checked first (exit 3)
    let failing = temp("unwritable.dasm", b"begin push.0 assert end");
    let o = distaff(&["prove", failing.to_str().unwrap(), "--proof", "/nonexistent/dir/x.proof"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("/nonexistent/dir/x.proof"), "{}", stderr(&o));
    // a writable path that did not exist is left absent when the proof fails
    let absent = std::env::temp_dir().join(format!("distaff-cli-absent-{}.proof", std::process::id()));
    let _ = std::fs::remove_file(&absent);
    let o = distaff(&["prove", failing.to_str().unwrap(), "--proof", absent.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(!absent.exists());
}

#[test]
fn what_run_prints_verify_takes_as_outputs() {
    let proof = temp("roundtrip.proof", b"");
    let (fib, inputs) = (example("fibonacci.dasm"), example("fibonacci.inputs.json"));
    let o = distaff(&["prove", &fib, "--inputs", &inputs, "--outputs", "2", "--proof", proof.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = stdout(&distaff(&["run", &fib, "--inputs", &inputs, "--outputs", "2"]));
    assert_eq!(printed.lines().count(), 2);
    let hash = stdout(&distaff(&["hash", &fib])).trim().to_string();
    let verify = |outputs: &str| {
        distaff(&[
            "verify",
            "--proof",
            proof.to_str().unwrap(),
            "--program-hash",
            &hash,
            "--inputs",
            &inputs,
            "--outputs",
            outputs,
        ])
    };
    let o = verify(&printed);
    assert!(o.status.success(), "{printed:?}: {}", stderr(&o));
    assert!(verify(&printed.replace('\n', ",")[..printed.len() - 1]).status.success());
    // the outputs in the other order are another claim
    let swapped: Vec<&str> = printed.lines().rev().collect();
    assert_eq!(verify(&swapped.join("\n")).status.code(), Some(1));
}

#[test]
fn a_proof_file_carries_its_claim_and_names_what_differs() {
    let proof = temp("receipt.proof", b"");
    let (fib, inputs) = (example("fibonacci.dasm"), example("fibonacci.inputs.json"));
    let o = distaff(&["prove", &fib, "--inputs", &inputs, "--proof", proof.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p = proof.to_str().unwrap();
    let hash = stdout(&distaff(&["hash", &fib])).trim().to_string();
    // alone: the claim is verified and printed
    let o = distaff(&["verify", "--proof", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains(&format!("program hash: {hash}")), "{out}");
    assert!(out.contains("public inputs: 1,0") && out.contains("outputs: 20365011074"), "{out}");
    let o = distaff(&["verify", "--proof", p, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["claim"]["outputs"], serde_json::json!(["20365011074"]));
    assert_eq!(v["claim"]["program_hash"], hash);
    // each expectation that differs is named, with both values
    let o = distaff(&["verify", "--proof", p, "--inputs", &inputs, "--outputs", "6"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("outputs differ: the proof is for 20365011074, you expected 6"), "{}", stderr(&o));
    let o = distaff(&["verify", "--proof", p, "--program-hash", &"0".repeat(64)]);
    assert!(
        stderr(&o).contains(&format!("program hashes differ: the proof is for {hash}, you expected 000")),
        "{}",
        stderr(&o)
    );
    let other = temp("receipt_other.json", br#"{"public": [2, 0]}"#);
    let o = distaff(&["verify", "--proof", p, "--inputs", other.to_str().unwrap()]);
    assert!(stderr(&o).contains("public inputs differ: the proof is for 1,0, you expected 2,0"), "{}", stderr(&o));
    // a claim edited in the file (the output, 8 bytes after the hash and the two inputs) is
    // rejected by the proof, with or without the matching expectation
    let mut bytes = std::fs::read(&proof).unwrap();
    let at = 8 + 1 + 32 + 1 + 16 + 1;
    assert_eq!(u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()), 20365011074);
    bytes[at..at + 8].copy_from_slice(&6u64.to_le_bytes());
    let edited = temp("receipt_edited.proof", &bytes);
    for expect in [vec![], vec!["--outputs", "6", "--inputs", &inputs]] {
        let mut args = vec!["verify", "--proof", edited.to_str().unwrap()];
        args.extend(expect);
        let o = distaff(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains("proof rejected") && !stderr(&o).contains("differ"), "{}", stderr(&o));
    }
    // a bare proof (no claim) needs the claim on the command line
    let bare = distaff_verifier::Receipt::from_bytes(&std::fs::read(&proof).unwrap()).unwrap().proof.to_bytes();
    let bare = temp("bare.proof", &bare);
    let o = distaff(&["verify", "--proof", bare.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // … and the proof is checked against it: wrong outputs, or the inputs left out
    let b = bare.to_str().unwrap();
    let o = distaff(&["verify", "--proof", b, "--program-hash", &hash, "--inputs", &inputs, "--outputs", "6"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = distaff(&["verify", "--proof", b, "--program-hash", &hash, "--outputs", "20365011074"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o =
        distaff(&["verify", "--proof", b, "--program-hash", &hash, "--inputs", &inputs, "--outputs", "20365011074"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn failures_name_what_the_user_wrote_and_where_it_was_called_from() {
    // assert_eq reports both values
    let o = distaff_stdin(&["run", "-"], b"begin\n    push.1 push.1 assert_eq\n    push.1 push.2 assert_eq\nend\n");
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(err.contains("'assert_eq' failed at cycle") && err.contains("the values differ (1 ≠ 2)"), "{err}");
    assert!(err.contains("<stdin>:3:19"), "{err}");
    // inside procedures: the chain of exec call sites, innermost first, in text and in JSON
    let program = b"proc.foo\n    push.1 push.2 assert_eq\nend\nproc.bar\n    exec.foo\nend\nbegin\n    push.0\n    exec.bar\nend\n";
    let o = distaff_stdin(&["run", "-"], program);
    let err = stderr(&o);
    let (first, second) = (err.find("called from <stdin>:5:5"), err.find("called from <stdin>:9:5"));
    assert!(first.is_some() && second.is_some() && first < second, "{err}");
    assert!(err.contains("--> <stdin>:2:19"), "{err}");
    let o = distaff_stdin(&["run", "-", "--json"], program);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((v["error"]["line"].clone(), v["error"]["column"].clone()), (2.into(), 19.into()), "{v}");
    assert_eq!(v["error"]["calls"], serde_json::json!([{"line": 5, "column": 5}, {"line": 9, "column": 5}]));
    // outside procedures there is no chain
    let o = distaff_stdin(&["run", "-", "--json"], b"begin push.3 push.4 assert_eq end");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["error"].get("calls").is_none(), "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("3 ≠ 4"), "{v}");
    // a path that does not lead to the root: zero siblings for root 0, leaf 1 at index 0
    let o = distaff_stdin(
        &["run", "-", "--inputs", temp("mtree.json", b"{\"secret\": [0, 0, 0, 0]}").to_str().unwrap()],
        b"begin push.0 push.0 push.0 push.0 push.0 push.0 push.0 push.0 push.1 mtree_verify.1 end",
    );
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(
        err.contains("'mtree_verify.1' failed at cycle") && err.contains("the path does not lead to the root"),
        "{err}"
    );
    // a plain assert keeps the plain message; one value is "1 value"
    let o = distaff_stdin(&["run", "-"], b"begin\n    drop\nend\n");
    assert!(stderr(&o).contains("it needs 1 value but the stack holds 0"), "{}", stderr(&o));
}

#[test]
fn constants_and_assertion_messages_in_the_cli() {
    let program = b"const.LIMIT=100\nbegin\n    push.LIMIT push.1 assert_eq.err=\"over the limit\"\nend\n";
    let o = distaff_stdin(&["run", "-"], program);
    assert_eq!(o.status.code(), Some(4));
    let err = stderr(&o);
    assert!(err.contains("'assert_eq' failed at cycle") && err.contains("over the limit (100 ≠ 1)"), "{err}");
    let o = distaff_stdin(&["run", "-", "--json"], b"begin\n  push.0 assert.err=\"expected a one # here\"\nend\n");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["error"]["message"].as_str().unwrap().ends_with(": expected a one # here"), "{v}");
    assert_eq!((v["error"]["line"].clone(), v["error"]["column"].clone()), (2.into(), 10.into()));
    // the hash is the same as with the values written out and no message
    let hash = |src: &[u8]| stdout(&distaff_stdin(&["hash", "-"], src));
    assert_eq!(hash(b"const.N=7 begin push.N assert.err=\"x\" end"), hash(b"begin push.7 assert end"));
    let o = distaff_stdin(&["run", "-"], b"begin push.N end");
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("unknown constant 'N'"), "{}", stderr(&o));
}

#[test]
fn run_profile_accounts_for_every_cycle() {
    let o =
        distaff(&["run", &example("collatz.dasm"), "--inputs", &example("collatz.inputs.json"), "--profile", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let p = &v["profile"];
    assert_eq!(p["cycles"], v["cycles"]);
    let sum = |key: &str| p[key].as_array().unwrap().iter().map(|x| x["cycles"].as_u64().unwrap()).sum::<u64>();
    let overhead = p["control_flow_cycles"].as_u64().unwrap() + p["span_padding_cycles"].as_u64().unwrap();
    // instructions, control flow and padding are every cycle; so are procedures and the rest
    assert_eq!(sum("instructions") + overhead, v["cycles"].as_u64().unwrap(), "{p}");
    assert_eq!(sum("procedures") + overhead, v["cycles"].as_u64().unwrap(), "{p}");
    // collatz.dasm's loop body is the procedure 'halve'; a push is two cycles
    let names: Vec<&str> = p["procedures"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["halve", "begin"], "{p}");
    let push = p["instructions"].as_array().unwrap().iter().find(|x| x["name"] == "push").unwrap();
    assert_eq!(push["cycles"].as_u64().unwrap(), 2 * push["runs"].as_u64().unwrap());
    assert!(p["control_flow_cycles"].as_u64().unwrap() > 0);
    // in text, on standard error, after the outputs
    let o = distaff(&["run", &example("fibonacci.dasm"), "--inputs", &example("fibonacci.inputs.json"), "--profile"]);
    assert_eq!(stdout(&o), "20365011074\n");
    let err = stderr(&o);
    assert!(err.starts_with("profile: 152 cycles") && err.contains("span padding") && err.contains("add"), "{err}");
}

/// A program with a procedure, secrets, memory, an overflowing stack, a branch and
/// decorators, for the debugger: it outputs 3² + 4² + 7 = 32.
const DEBUGGEE: &str = "\
proc.square
    dup mul
end
begin
    read read
    exec.square
    debug.stack
    swap exec.square
    add
    dup mem_store.5
    debug.mem.5
    repeat.20 push.1 end
    repeat.20 drop end
    push.1
    if.true
        push.7 add
    end
end
";

fn debug_session(commands: &str) -> String {
    let prog = temp("debuggee.dasm", DEBUGGEE.as_bytes());
    let inputs = temp("debuggee.json", br#"{"secret": [3, 4]}"#);
    let o =
        distaff_stdin(&["debug", prog.to_str().unwrap(), "--inputs", inputs.to_str().unwrap()], commands.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

/// The text after the first occurrence of `marker` (so that checks follow the session's order).
fn after<'a>(text: &'a str, marker: &str) -> &'a str {
    let at = text.find(marker).unwrap_or_else(|| panic!("'{marker}' not in:\n{text}"));
    &text[at + marker.len()..]
}

#[test]
fn the_debugger_steps_over_calls_stops_at_breakpoints_and_goes_back() {
    let out = debug_session(
        "secrets\nnext\nnext\nbreak 8\nrc\nc\nc\nwhere\nfinish\nbreak 13\nc\nstack\nmem 5\nsecrets\n\
         delete\nc\nstep\nback\nbogus\nbreak 3\nquit\nstep\n",
    );
    let rest = after(&out, "cycle 0, line 5, column 5: read\n");
    let rest = after(rest, "stack (0):\n");
    let rest = after(rest, "2 of 2 secret inputs left, next first: 3 4\n");
    let rest = after(rest, "line 5, column 10: read\n");
    // next runs the procedure without stopping in it, and prints the decorator it passes
    let rest = after(rest, "debug.stack (line 7, column 5; cycle 4): depth 2: 16 3\n");
    let rest = after(rest, "line 8, column 5: swap\n");
    let rest = after(rest, "stack (2): 16 3\n");
    let rest = after(rest, "breakpoint at line 8\n");
    // back to the previous breakpoint: none before, so the start
    let rest = after(rest, "cycle 0, line 5, column 5: read\n");
    let rest = after(rest, "line 8, column 5: swap\n");
    // a breakpoint on an exec line stops on entering the procedure
    let rest = after(rest, "line 2, column 5: dup\n");
    let rest = after(rest, "stack (2): 3 16\n");
    let rest = after(rest, "called from line 8, column 10: exec.square\n");
    let rest = after(rest, "line 9, column 5: add\n");
    let rest = after(rest, "stack (2): 9 16\n");
    let rest = after(rest, "debug.mem.5 (line 11, column 5; cycle");
    let rest = after(rest, "  m[5] = 25 0 0 0\n");
    let rest = after(rest, "line 13, column 15: drop\n");
    // the whole stack, the overflow included
    let rest = after(rest, "stack (21), top first:\n");
    let rest = after(rest, "   15: 1\n   16: 1 (overflow)\n");
    let rest = after(rest, "   20: 25 (overflow)\n");
    let rest = after(rest, "memory at cycle");
    let rest = after(rest, "  m[5] = 25 0 0 0\n");
    let rest = after(rest, "0 of 2 secret inputs left\n");
    let rest = after(rest, "0 breakpoints left\n");
    let rest = after(rest, "halted at cycle");
    let rest = after(rest, "the final stack (1): 32\n");
    let rest = after(rest, "the program has halted; 'back' or 'rc' to go back\n");
    let rest = after(rest, "line 16, column 16: add\n");
    let rest = after(rest, "stack (2): 7 25\n");
    let rest = after(rest, "unknown command 'bogus'");
    let rest = after(rest, "line 3 holds no instruction\n");
    // nothing after quit
    assert!(rest.is_empty(), "{rest}");
}

#[test]
fn the_debugger_stops_where_the_execution_fails() {
    let prog = temp("debug-fails.dasm", b"begin\n    push.1 push.2\n    assert_eq.err=\"not equal\"\nend\n");
    let o = distaff_stdin(&["debug", prog.to_str().unwrap()], b"continue\nstep\nback\nstack\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let rest = after(&out, "up to the failure");
    let rest = after(rest, "line 3, column 5: assert_eq.err=\"not equal\" [assert]\n");
    let rest = after(rest, "the execution fails here: 'assert_eq' failed at cycle 5: not equal (1 ≠ 2)\n");
    let rest = after(rest, "the execution fails at this step");
    let rest = after(rest, "line 3, column 5: assert_eq.err=\"not equal\" [eq]\n");
    after(rest, "stack (2), top first:\n    0: 2\n    1: 1\n");
    // commands come from standard input, so the program cannot
    let o = distaff_stdin(&["debug", "-"], b"begin push.1 end");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn trace_prints_one_line_per_step_and_decorators_go_to_stderr() {
    let prog = temp("debuggee-trace.dasm", DEBUGGEE.as_bytes());
    let inputs = temp("debuggee-trace.json", br#"{"secret": [3, 4]}"#);
    let (prog, inputs) = (prog.to_str().unwrap(), inputs.to_str().unwrap());
    let o = distaff(&["debug", "--trace", prog, "--inputs", inputs]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert!(lines.iter().all(|l| l.len() == 5), "{out}");
    // read read, dup mul, swap, dup mul, add, dup, mem_store.5 (3), 20 push, 20 drop, push.1,
    // if.true, push.7 add, and the halt
    assert_eq!(lines.len(), 2 + 2 + 1 + 2 + 1 + 1 + 3 + 20 + 20 + 1 + 1 + 2 + 1, "{out}");
    assert_eq!(lines[0], vec!["0", "5:5", "read", "0", ""]);
    assert_eq!(lines[2], vec!["2", "2:5", "dup", "2", "4 3"]);
    assert_eq!(lines[9], vec!["9", "10:9", "mem_store.5 [push.5]", "2", "25 25"]);
    let cycles: Vec<usize> = lines.iter().map(|l| l[0].parse().unwrap()).collect();
    assert!(cycles.windows(2).all(|w| w[0] < w[1]), "{out}");
    let run = distaff(&["run", prog, "--inputs", inputs]);
    assert_eq!(stdout(&run), "32\n");
    assert_eq!(lines.last().unwrap(), &vec![cycles.last().unwrap().to_string().as_str(), "end", "halt", "1", "32"]);
    assert!(lines[32][4].ends_with(" … (5 more)"), "{:?}", lines[32]);
    // the decorators print on standard error, for run and trace alike, and not in the hash
    for o in [&o, &run] {
        let err = stderr(o);
        assert!(err.contains("debug.stack (line 7, column 5; cycle 4): depth 2: 16 3\n"), "{err}");
        assert!(err.contains("debug.mem.5 (line 11, column 5; cycle 13):\n  m[5] = 25 0 0 0\n"), "{err}");
    }
    let plain: String = DEBUGGEE.lines().filter(|l| !l.contains("debug.")).map(|l| format!("{l}\n")).collect();
    let plain = temp("debuggee-plain.dasm", plain.as_bytes());
    assert_eq!(stdout(&distaff(&["hash", prog])), stdout(&distaff(&["hash", plain.to_str().unwrap()])));
    // a failing program: the lines up to the failure, then the error and its exit code
    let failing = temp("trace-fails.dasm", b"begin push.1 push.2 assert_eq end");
    let o = distaff(&["debug", "--trace", failing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert_eq!(stdout(&o).lines().count(), 4);
    assert!(stderr(&o).contains("'assert_eq' failed at cycle 5"), "{}", stderr(&o));
}

#[test]
fn the_readme_debugging_transcript_is_what_the_debugger_prints() {
    let readme = std::fs::read_to_string(format!("{}/../README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let section = after(&readme, "### Debugging");
    let block = after(section, "```text\n");
    let block = &block[..block.find("```").unwrap()];
    // the command: printf '…' | distaff debug PROGRAM --inputs FILE
    let commands = after(block, "printf '");
    let commands = commands[..commands.find('\'').unwrap()].replace("\\n", "\n");
    let line = block.lines().find(|l| l.contains("distaff debug")).unwrap();
    let args: Vec<String> = after(line, "distaff ")
        .split_whitespace()
        .map(|a| match a.starts_with("examples/") {
            true => example(&a["examples/".len()..]),
            false => a.to_string(),
        })
        .collect();
    let args: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
    let o = distaff_stdin(&args, commands.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    let expected: String =
        block.lines().skip_while(|l| !l.contains("distaff debug")).skip(1).map(|l| format!("{l}\n")).collect();
    let got = stdout(&o).replace(&example(""), "examples/");
    assert_eq!(got, expected);
}

#[test]
fn the_debugger_knows_each_call_and_where_an_execution_stops() {
    // three calls in a repeat, then two written side by side
    let prog = temp(
        "debug-calls.dasm",
        b"proc.foo\n    push.1 add\nend\nbegin\n    push.0\n    repeat.3\n        exec.foo\n    end\n    exec.foo exec.foo\n    push.9 add\nend\n",
    );
    let prog = prog.to_str().unwrap();
    let cycles = |commands: &str| -> Vec<String> {
        let o = distaff_stdin(&["debug", prog], commands.as_bytes());
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).lines().filter(|l| l.starts_with("cycle ") || l.starts_with("halted")).map(str::to_string).collect()
    };
    let at = |c: &str| format!("cycle {c}, line 2, column 5: push.1");
    // a breakpoint on the exec in the repeat stops at each of its three calls
    assert_eq!(cycles("break 7\nc\nc\nc\nc\n")[1..], [at("2"), at("5"), at("8"), "halted at cycle 24".into()]);
    // finish leaves one call: the next one is a call of its own
    assert_eq!(cycles("step\nfinish\nfinish\n")[1..], [at("2"), at("5"), at("8")]);
    // next from outside steps over the first call and stops where the next one starts
    assert_eq!(cycles("next\n")[1..], [at("5")]);
    // goto means the same from anywhere; an empty line repeats only what worked (goto 1)
    let out = cycles("goto 6\ngoto 1\ngoto 100\n\ngoto 7\n");
    let add = "cycle 7, line 2, column 12: add".to_string();
    assert_eq!(out[1..], [add.clone(), at("2"), at("2"), add]);

    // an error of the whole execution: the last step holds the state it stopped in
    let deep = temp("debug-deep.dasm", b"begin repeat.17 push.1 end end");
    let o = distaff_stdin(&["debug", deep.to_str().unwrap()], b"c\nstep\nsecrets 0\nback\nback\nquit now\n");
    let out = stdout(&o);
    let rest = after(&out, "the execution stops at cycle 40: the program ends with 17 values on the stack");
    let rest = after(rest, "the final stack (17): 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 … (1 more)\n");
    let rest = after(rest, "the execution has stopped; 'back' or 'rc' to go back\n");
    let rest = after(rest, "'0' is not a count (1 or more)\n");
    let rest = after(rest, "cycle 32, line 1, column 17: push.1\n");
    let rest = after(rest, "stack (16):");
    after(rest, "'quit' takes no argument\n");
    assert!(!out.contains("execution failed: execution failed"), "{out}");

    // decorators and trace lines in order on one stream; a closed pipe is no error
    let decorated = temp("debug-order.dasm", b"begin push.1 debug.stack push.2 debug.stack end");
    let script = format!("{} debug --trace {} 2>&1", env!("CARGO_BIN_EXE_distaff"), decorated.display());
    let o = Command::new("sh").args(["-c", &script]).output().unwrap();
    let lines: Vec<String> = stdout(&o).lines().map(|l| l.split('\t').take(3).collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(lines[0], "0 1:7 push.1");
    assert!(lines[1].starts_with("debug.stack (line 1, column 14; cycle 2): depth 1: 1"), "{lines:?}");
    assert_eq!(lines[2], "2 1:26 push.2");
    let script = format!(
        "{} debug --trace {} | head -1; exit ${{PIPESTATUS[0]}}",
        env!("CARGO_BIN_EXE_distaff"),
        example("collatz.dasm") + " --inputs " + &example("collatz.inputs.json")
    );
    let o = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1);
}

#[test]
fn an_unclosed_block_is_named_by_the_indentation() {
    let prog = temp("unclosed.dasm", b"begin\n    push.1\n    if.true\n        push.2\n    drop\nend\n");
    let o = distaff(&["run", prog.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((v["error"]["kind"].as_str(), v["error"]["line"].as_u64()), (Some("assembly"), Some(3)));
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("'if.true' at line 3, column 5 is never closed"), "{message}");
}

#[test]
fn programs_import_from_std_and_from_lib_folders() {
    // a library folder named `mylib`, with a module in a subfolder
    let root = std::env::temp_dir().join(format!("distaff-cli-lib-{}", std::process::id()));
    let lib = root.join("mylib");
    std::fs::create_dir_all(lib.join("num")).unwrap();
    std::fs::write(lib.join("num/small.dasm"), "export.double dup add end\nproc.hidden add end").unwrap();
    let program = temp(
        "uses_libs.dasm",
        b"use.std::math::u64\nuse.mylib::num::small\nbegin\n  exec.u64::wrapping_add\n  exec.small::double\nend\n",
    );
    let inputs = temp("uses_libs.json", br#"{"public": [0, 5, 4294967295, 7]}"#);
    // (7 + 2^32·4294967295) + (5 + 0): the high half on top, doubled
    let o = distaff(&[
        "run",
        program.to_str().unwrap(),
        "--inputs",
        inputs.to_str().unwrap(),
        "--outputs",
        "2",
        "--lib",
        lib.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "8589934590\n12\n");
    // without the folder the module is unknown: an assembly error (exit 3) naming the libraries
    let o = distaff(&["run", program.to_str().unwrap(), "--inputs", inputs.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("unknown module 'mylib::num::small' (libraries: std)"), "{}", stderr(&o));
    // a private procedure, and an error inside a module, located in the module
    let private = temp("private.dasm", b"use.mylib::num::small begin exec.small::hidden end");
    let o = distaff(&["hash", private.to_str().unwrap(), "--lib", lib.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("(it is private: declared with proc, not export)"), "{}", stderr(&o));
    std::fs::write(lib.join("num/small.dasm"), "export.double\n  dup ad\nend").unwrap();
    let o = distaff(&["hash", program.to_str().unwrap(), "--lib", lib.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(json["error"]["file"], "mylib::num::small");
    assert_eq!((json["error"]["line"].as_u64(), json["error"]["column"].as_u64()), (Some(2), Some(7)));
    assert!(stderr(&o).contains("2 |   dup ad"), "{}", stderr(&o));
    // a folder that does not exist is a library error
    let o = distaff(&["hash", program.to_str().unwrap(), "--lib", root.join("nope").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).starts_with("error: library: cannot read"), "{}", stderr(&o));
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn the_u64_example_proves_its_sum_and_refuses_an_overflow() {
    let program = example("u64_sum.dasm");
    let inputs = example("u64_sum.inputs.json");
    let proof = temp("u64_sum.proof", b"");
    let o =
        distaff(&["prove", &program, "--inputs", &inputs, "--outputs", "2", "--proof", proof.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = distaff(&["verify", "--proof", proof.to_str().unwrap(), "--outputs", "2,3410065408", "--any-inputs"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 5,000,000,000 + 7,000,000,000 = 2·2^32 + 3410065408
    assert_eq!(2u64 * (1 << 32) + 3410065408, 5_000_000_000 + 7_000_000_000);
    let overflow = temp("u64_overflow.json", br#"{"secret": [0, 4294967295, 0, 1]}"#);
    let o = distaff(&["run", &program, "--inputs", overflow.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("the sum does not fit in 64 bits"), "{}", stderr(&o));
}

#[test]
fn the_smt_and_signature_examples_prove_and_verify_with_advice_from_the_inputs_file() {
    // sparse-Merkle membership: the value at a secret key of the tree with the public root
    let program = example("smt_membership.dasm");
    let inputs = example("smt_membership.inputs.json");
    let proof = temp("smt.proof", b"");
    let o =
        distaff(&["prove", &program, "--inputs", &inputs, "--outputs", "4", "--proof", proof.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = distaff(&[
        "verify",
        "--proof",
        proof.to_str().unwrap(),
        "--inputs",
        &inputs,
        "--outputs",
        "1000,2000,3000,4000",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // `hash --inputs` prints the store's root, which is the example's public input
    let o = distaff(&["hash", &program, "--inputs", &inputs, "--json"]);
    let json: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let root: Vec<u64> = json["merkle_roots"][0].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&inputs).unwrap()).unwrap();
    let public: Vec<u64> =
        file["public"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().parse().unwrap()).collect();
    assert_eq!(root, public);
    // a key the tree does not hold
    let mut other = file.clone();
    other["secret"] = serde_json::json!(["43"]);
    let other = temp("smt_other.json", other.to_string().as_bytes());
    let o = distaff(&["run", &program, "--inputs", other.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("the key is not in the tree"), "{}", stderr(&o));
    // a malformed store is refused with the entry named
    let bad = temp("smt_bad.json", br#"{"merkle_store": [{"depth": 65, "sparse": {}}]}"#);
    let o = distaff(&["run", &program, "--inputs", bad.to_str().unwrap()]);
    assert!(stderr(&o).contains("merkle_store[0]: a sparse tree needs a 'depth' from 1 to 64"), "{}", stderr(&o));

    // a Lamport signature, from the advice map
    let program = example("signature.dasm");
    let inputs = example("signature.inputs.json");
    let proof = temp("sig.proof", b"");
    let o = distaff(&["prove", &program, "--inputs", &inputs, "--proof", proof.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = distaff(&["verify", "--proof", proof.to_str().unwrap(), "--inputs", &inputs, "--outputs", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // another message: the map holds no signature for it
    let mut file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&inputs).unwrap()).unwrap();
    file["public"][0] = serde_json::json!("2");
    let other = temp("sig_other.json", file.to_string().as_bytes());
    let o = distaff(&["run", &program, "--inputs", other.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("no values under the key"), "{}", stderr(&o));
    // the signature filed under that message too: it does not verify
    file["advice_map"][0]["key"][0] = serde_json::json!("2");
    let other = temp("sig_forged.json", file.to_string().as_bytes());
    let o = distaff(&["run", &program, "--inputs", other.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4));
    assert!(stderr(&o).contains("assertion failed"), "{}", stderr(&o));
}

#[test]
fn the_sha256_preimage_example_outputs_the_digest_of_its_secret_message() {
    let program = example("sha256_preimage.dasm");
    let inputs = example("sha256_preimage.inputs.json");
    let o = distaff(&["run", &program, "--inputs", &inputs, "--outputs", "8"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // "The quick brown fox jumps over the lazy dog"
    let digest = "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592";
    let words: Vec<String> =
        (0..8).map(|i| u32::from_str_radix(&digest[8 * i..8 * i + 8], 16).unwrap().to_string()).collect();
    assert_eq!(stdout(&o).split_whitespace().collect::<Vec<_>>(), words);
    // proven (a 2^14-row trace) and verified against the digest, the message unseen
    let proof = temp("sha256.proof", b"");
    let o =
        distaff(&["prove", &program, "--inputs", &inputs, "--outputs", "8", "--proof", proof.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o =
        distaff(&["verify", "--proof", proof.to_str().unwrap(), "--inputs", &inputs, "--outputs", &words.join(",")]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_shift_by_an_amount_of_32_or_more_names_the_rule_and_where() {
    let program = temp("shift32.dasm", b"begin\n    push.1 push.32 u32rotr\nend\n");
    let o = distaff(&["run", program.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("a shift or rotation amount is below 32"), "{e}");
    assert!(e.contains("shift32.dasm:2:20"), "{e}");
}
