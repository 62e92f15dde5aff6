//! The JSON Lines reader: fuzzed bytes split into lines in batches of a few bytes (so lines
//! straddle batch boundaries), each line read as a record of the `rules/` schema by the fast
//! path and, where it declines, the general path. Nothing panics, and line numbers only grow.
#![no_main]

use concordant::data::{read_record, Batches, Shared, SourceId, Validator};
use concordant::Pack;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/schema.cord");
        let pack =
            Pack::from_paths(&[schema]).unwrap_or_else(|e| panic!("the schema compiles: {e}"));
        Validator::new(pack.plan().schema.clone())
    })
}

fuzz_target!(|data: &[u8]| {
    let batch = data.first().map_or(1, |b| usize::from(*b % 64) + 1);
    let mut batches = Batches::with_size(data, SourceId(0), batch);
    let mut shared = Shared::default();
    let mut last_line = 0;
    while let Ok(Some(batch)) = batches.next_batch() {
        for (bytes, origin) in batch.lines(&batch.whole()) {
            assert!(origin.line > last_line, "line numbers grow");
            last_line = origin.line;
            let _ = read_record(
                validator(),
                bytes,
                origin,
                || "fallback".into(),
                &mut shared,
            );
        }
        batches.recycle(batch);
    }
});
