//! The rule parser, the lexer and the formatter on any text: nothing panics, and formatting a
//! file that parses is idempotent.
#![no_main]

use concordant::span::FileId;
use concordant::syntax::{format, parse, tokenize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let tokens = tokenize(text);
    assert_eq!(tokens.last().map_or(0, |t| t.range.end), text.len());
    let (_, errors) = parse(FileId(0), text);
    if errors.is_empty() {
        let once = format(text);
        assert_eq!(format(&once), once, "formatting twice changed the text");
    }
});
