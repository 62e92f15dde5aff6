//! JSON arrays read element by element: fuzzed bytes after a `[`, read through a reader that
//! hands out a few bytes at a time (elements straddle reads), with a small element limit.
//! Nothing panics, every element is reported once, and line numbers never go back.
#![no_main]

use concordant::data::{read_array, SourceId};
use libfuzzer_sys::fuzz_target;
use std::io::BufReader;

fuzz_target!(|data: &[u8]| {
    let (chunk, rest) = match data.split_first() {
        Some((first, rest)) => (usize::from(*first % 16) + 1, rest),
        None => return,
    };
    let mut text = b"[".to_vec();
    text.extend_from_slice(rest);
    let reader = BufReader::with_capacity(chunk, text.as_slice());
    let mut last_line = 0;
    read_array(reader, SourceId(0), 1, 256, &mut |_line, origin| {
        assert!(origin.line >= last_line, "line numbers never go back");
        last_line = origin.line;
    });
});
