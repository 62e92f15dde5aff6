//! The language server's framing: fuzzed bytes read as a stream of `Content-Length` framed
//! messages until the stream ends or its framing cannot be followed. Nothing panics or
//! allocates what a length says beyond the limit, and every frame read moves the stream on.
#![no_main]

use concordant::lsp::transport::read_frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = std::io::Cursor::new(data);
    let mut last = 0;
    while let Ok(Some(_frame)) = read_frame(&mut input) {
        let at = input.position();
        assert!(at > last || data.is_empty(), "a frame read moves the stream on");
        last = at;
    }
});
