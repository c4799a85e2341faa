//! The inputs-file parser (and the `--outputs` list parser) on arbitrary text: a value or an
//! error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = distaff_cli::inputs::parse(text).map_err(|e| e.to_string());
        let _ = distaff_cli::inputs::parse_list(text).map_err(|e| e.to_string());
    }
});
