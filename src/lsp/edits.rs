//! The edits the server offers: quick fixes for problems (code actions) and the canonical
//! layout of `concordant fmt` (formatting, of the whole document or of a range).

use super::analysis::Analysis;
use super::Lines;
use lsp_types as lsp;
use std::collections::HashMap;
use std::ops::Range;

/// The quick fixes for the problems in `range` of the document at `uri`, each tied to the
/// diagnostic it resolves.
pub(super) fn code_actions(
    analysis: &Analysis,
    uri: &lsp::Url,
    diagnostics: &[lsp::Diagnostic],
    range: Range<usize>,
) -> Vec<lsp::CodeActionOrCommand> {
    let lines = Lines::new(analysis.text());
    (analysis.fixes(range).into_iter())
        .map(|fix| {
            let edit = lsp::TextEdit {
                range: lines.range(&fix.range),
                new_text: fix.replacement,
            };
            let changes = HashMap::from([(uri.clone(), vec![edit])]);
            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: diagnostics.get(fix.problem).map(|d| vec![d.clone()]),
                edit: Some(lsp::WorkspaceEdit {
                    changes: Some(changes),
                    ..Default::default()
                }),
                is_preferred: Some(true),
                ..Default::default()
            })
        })
        .collect()
}

/// The edits that put the document in the canonical layout — of the lines `range` touches
/// only, when given. None when it does not parse: the layout follows its structure.
pub(super) fn formatting(
    analysis: &Analysis,
    range: Option<Range<usize>>,
) -> Option<Vec<lsp::TextEdit>> {
    let text = analysis.text();
    if !crate::syntax::parse(crate::span::FileId(0), text)
        .1
        .is_empty()
    {
        return None;
    }
    let formatted = crate::syntax::format(text);
    let lines = Lines::new(text);
    let edits = line_edits(text, &formatted)
        .into_iter()
        .filter(|(old, _)| {
            range
                .as_ref()
                .is_none_or(|r| old.start <= r.end && r.start <= old.end)
        })
        .map(|(old, new_text)| lsp::TextEdit {
            range: lines.range(&old),
            new_text,
        })
        .collect();
    Some(edits)
}

/// The changes from `old` to `new` as replacements of whole lines of `old` (byte range, new
/// text), in order.
fn line_edits(old: &str, new: &str) -> Vec<(Range<usize>, String)> {
    let diff = similar::TextDiff::from_lines(old, new);
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut starts = Vec::with_capacity(old_lines.len() + 1);
    let mut offset = 0;
    for line in &old_lines {
        starts.push(offset);
        offset += line.len();
    }
    starts.push(offset);
    let mut edits = Vec::new();
    for op in diff.ops() {
        if matches!(op, similar::DiffOp::Equal { .. }) {
            continue;
        }
        let (from, to) = (op.old_range(), op.new_range());
        edits.push((starts[from.start]..starts[from.end], new_lines[to].concat()));
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_edits_turn_the_old_text_into_the_new() {
        let old = "a\nb\nc\nd\n";
        let new = "a\nB\nc\nd\ne\n";
        let edits = line_edits(old, new);
        let mut text = old.to_string();
        for (range, replacement) in edits.iter().rev() {
            text.replace_range(range.clone(), replacement);
        }
        assert_eq!(text, new);
        assert_eq!(edits.len(), 2);
    }

    #[test]
    fn range_formatting_changes_only_the_lines_it_is_given() {
        let text = "schema {\n      kind speech { start: time, end: time }\n}\n\nrule r: warning {\n      for s in speech\n  require s.start < s.end\n  message \"{s.id}\"\n}\n";
        let analysis = Analysis::new(std::path::Path::new("/nonexistent/x.cord"), text);
        let whole = formatting(&analysis, None).expect("it parses");
        assert_eq!(whole.len(), 2, "{whole:?}");
        let line = text.find("      for s").unwrap();
        let ranged = formatting(&analysis, Some(line..line + 3)).expect("it parses");
        assert_eq!(ranged.len(), 1, "{ranged:?}");
        assert_eq!(ranged[0].range.start.line, 5);
        assert_eq!(ranged[0].new_text, "  for s in speech\n");
        let broken = Analysis::new(std::path::Path::new("/nonexistent/x.cord"), "rule r: {");
        assert!(
            formatting(&broken, None).is_none(),
            "a file that does not parse is left alone"
        );
    }
}
