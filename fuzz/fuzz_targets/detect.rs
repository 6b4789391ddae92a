//! Format detection, then the detected parser, on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfgate::formats;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(format) = formats::detect(&text) {
        let _ = formats::parse(format, &text);
    }
});
