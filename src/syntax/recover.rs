//! An error-tolerant parse, for editors. A rule file being edited rarely parses: one
//! unclosed `{` would otherwise cost the whole file its outline, hover, completion and every
//! other diagnostic. The file is cut into its top-level declarations (each starts on a line of
//! its own with `import`, `schema`, `const`, `fn`, `rule` or `test`, with the comments just
//! above it); each declaration that does not parse on its own is reported with its first
//! error and blanked out (its characters replaced by spaces, its line breaks kept), and the
//! rest parses as usual, at the same offsets.

use super::{parse, SyntaxError};
use crate::span::FileId;
use std::ops::Range;

/// What an error-tolerant parse found.
#[derive(Debug)]
pub struct Recovered {
    /// The text with every declaration that does not parse blanked out; it parses.
    pub text: String,
    /// The first error of each blanked declaration, in order.
    pub errors: Vec<SyntaxError>,
    /// The byte range of each blanked declaration.
    pub broken: Vec<Range<usize>>,
    /// The names the blanked declarations declare (rules, constants, functions, kinds): a
    /// use of one elsewhere is not unknown, only being edited.
    pub names: Vec<String>,
}

/// The words that start a top-level declaration.
const STARTS: [&str; 6] = ["import", "schema", "const", "fn", "rule", "test"];

/// Recovers what parses of `text`, which does not parse as a whole. `None` when the cut into
/// declarations finds nothing to blank that makes the rest parse (then the whole file's error
/// is all there is to say).
pub fn recover(file: FileId, text: &str) -> Option<Recovered> {
    let declarations = declarations(text);
    let mut broken = Vec::new();
    let mut errors = Vec::new();
    for range in &declarations {
        let alone = blank_except(text, range);
        let (_, mut found) = parse(file, &alone);
        if !found.is_empty() {
            let mut error = found.swap_remove(0);
            // "Found the end of the file" is, for a declaration cut out, the end of its own
            // text: where the `}` it lacks would go.
            let end = range.start + text[range.clone()].trim_end().len();
            let span = error.span_mut();
            if span.range.start > end {
                span.range = end..end;
            }
            errors.push(error);
            broken.push(range.clone());
        }
    }
    if broken.is_empty() {
        return None;
    }
    let mut recovered = text.to_string();
    for range in &broken {
        blank(&mut recovered, range.clone());
    }
    let names = broken
        .iter()
        .flat_map(|r| declared(&text[r.clone()]))
        .collect();
    parse(file, &recovered).1.is_empty().then_some(Recovered {
        text: recovered,
        errors,
        broken,
        names,
    })
}

/// The names declared in `text`: the name after each `rule`, `const`, `fn` and `kind` (a
/// rule's id taken whole, hyphens and all).
fn declared(text: &str) -> Vec<String> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let tokens: Vec<Range<usize>> = (super::tokenize(text).into_iter())
        .filter(|t| {
            !matches!(
                t.kind,
                Some(super::TokenKind::Whitespace | super::TokenKind::Comment)
            )
        })
        .map(|t| t.range)
        .collect();
    let mut names = Vec::new();
    for pair in tokens.windows(2) {
        if matches!(&text[pair[0].clone()], "rule" | "const" | "fn" | "kind") {
            let rest = &text[pair[1].start..];
            let end = rest.find(|c: char| !is_name(c)).unwrap_or(rest.len());
            names.extend((end > 0).then(|| rest[..end].to_string()));
        }
    }
    names
}

/// The byte ranges of the top-level declarations: from each line that starts with a
/// declaration's word (or the comment lines right above it) to the next such line.
fn declarations(text: &str) -> Vec<Range<usize>> {
    let mut starts = vec![0];
    let mut comments_from: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let starts_declaration = STARTS.iter().any(|word| {
            line.strip_prefix(word)
                .is_some_and(|rest| rest.starts_with([' ', '\t', '"', '\r', '\n']))
        });
        if starts_declaration {
            starts.push(comments_from.unwrap_or(offset));
        }
        comments_from = match line.starts_with("//") {
            true => comments_from.or(Some(offset)),
            false => None,
        };
        offset += line.len();
    }
    starts.dedup();
    let mut ranges: Vec<Range<usize>> = starts.windows(2).map(|w| w[0]..w[1]).collect();
    ranges.push(*starts.last().unwrap_or(&0)..text.len());
    ranges.retain(|r| !r.is_empty());
    ranges
}

/// `text` with everything outside `keep` blanked.
fn blank_except(text: &str, keep: &Range<usize>) -> String {
    let mut out = text.to_string();
    blank(&mut out, 0..keep.start);
    blank(&mut out, keep.end..text.len());
    out
}

/// Replaces every character in `range` but line breaks with spaces, one space per byte, so
/// that every offset after it stays where it was.
fn blank(text: &mut String, range: Range<usize>) {
    let blanked: String = text[range.clone()]
        .bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .collect();
    text.replace_range(range, &blanked);
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "schema {\n  kind speech { start: time, end: time, speaker: str }\n}\n\n/// Broken: its brace is never closed.\nrule open: warning {\n  for s in speech\n  require s.\n\n// A comment.\nrule fine: error {\n  for s in speech\n  require s.start < s.end\n  message \"{s.id}\"\n}\n";

    #[test]
    fn a_broken_declaration_is_blanked_and_the_rest_parses_at_the_same_offsets() {
        let recovered = recover(FileId(0), TEXT).expect("recovers");
        assert_eq!(recovered.text.len(), TEXT.len());
        assert_eq!(recovered.broken.len(), 1);
        let broken = &TEXT[recovered.broken[0].clone()];
        assert!(
            broken.starts_with("/// Broken") && broken.ends_with("require s.\n\n"),
            "{broken:?}"
        );
        let (file, errors) = parse(FileId(0), &recovered.text);
        assert!(errors.is_empty());
        assert_eq!(file.rules.len(), 1);
        let fine = &file.rules[0];
        assert_eq!(&TEXT[fine.id.span.range.clone()], "fine");
        assert_eq!(TEXT.lines().count(), recovered.text.lines().count());
    }

    #[test]
    fn each_broken_declaration_gives_its_own_error() {
        let text = TEXT.replace("s.start < s.end", "s.start <");
        let recovered = recover(FileId(0), &text).expect("recovers");
        assert_eq!(recovered.errors.len(), 2);
        assert_eq!(parse(FileId(0), &recovered.text).0.kinds.len(), 1);
    }

    #[test]
    fn a_file_of_one_broken_declaration_keeps_its_error_and_nothing_else() {
        let recovered = recover(FileId(0), "schema { kind").expect("recovers");
        assert_eq!(recovered.errors.len(), 1);
        assert_eq!(recovered.text.trim(), "");
    }
}
