//! Every parser on arbitrary input: the first byte picks the format, the rest is the text.
//! A parser may refuse input, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use perfgate::formats::{self, FORMATS};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some(&(format, ..)) = FORMATS.get(usize::from(pick) % FORMATS.len()) else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let _ = formats::parse(format, &text);
});
