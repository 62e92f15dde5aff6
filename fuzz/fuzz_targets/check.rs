//! Parser, checker and planner on any text, and the editor's view of it (diagnostics, hover,
//! definition, completion at sixteen offsets; symbols, highlighting): nothing panics.
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
        // Rendering costs more than compiling; one input in eight is rendered, chosen by its
        // length so that a crash reproduces.
        if text.len() % 8 == 0 {
            let _ = concordant::diag::render_pack_error(&error, concordant::diag::Color::Never);
        }
    }
    let analysis = Analysis::new(path, text);
    let _ = (
        analysis.problems(),
        analysis.symbols(),
        analysis.highlights(),
    );
    // Sixteen places spread over the text: every offset would make the run quadratic.
    for offset in (0..=text.len()).step_by(text.len() / 16 + 1) {
        let _ = (
            analysis.hover(offset),
            analysis.definition(offset),
            analysis.completions(offset),
        );
    }
});
