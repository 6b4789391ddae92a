//! perfgate.toml parsing and budget expressions on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfgate::config::{Budget, Config};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Config::parse("fuzz.toml", &text);
    let _ = Budget::parse_cli(&text);
});
