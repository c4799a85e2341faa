//! The assembler on arbitrary text: it returns a program or an error, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = distaff_assembly::assemble(text) {
            // rendering the error (with its line and column) must not panic either
            let _ = e.to_string();
        }
    }
});
