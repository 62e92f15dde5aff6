//! Parser, checker and planner on any text, and the editor's view of it (diagnostics, hover,
//! definition, completion, symbols, highlighting at every tenth offset): nothing panics.
#![no_main]

use concordant::lsp::analysis::Analysis;
use concordant::Pack;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/nonexistent/fuzz/rules.cord");
    if let Err(error) = Pack::from_text_at(path, text) {
        let _ = concordant::diag::render_pack_error(&error, concordant::diag::Color::Never);
    }
    let analysis = Analysis::new(path, text);
    let _ = (analysis.problems(), analysis.symbols(), analysis.highlights());
    for offset in (0..=text.len()).step_by(10) {
        let _ = (
            analysis.hover(offset),
            analysis.definition(offset),
            analysis.completions(offset),
        );
    }
});
