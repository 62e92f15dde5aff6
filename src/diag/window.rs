//! Long lines, shown as a window around their labels.
//!
//! miette lays a label out by its column and panics once a column passes 65,535; and a data
//! line of megabytes is no help on a terminal anyway. Lines longer than [`LONGEST_LINE`]
//! bytes are cut to a window that starts a little before the first label on them, and the
//! labels are moved to match.

use miette::LabeledSpan;

/// The longest line shown whole, in bytes.
pub const LONGEST_LINE: usize = 400;

/// How much of a cut line is shown before its first label.
const BEFORE_LABEL: usize = 60;

const CUT: &str = "…";

/// Text ready for miette, with its labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Windowed {
    /// The text, long lines cut.
    pub text: String,
    /// The labels, at their places in `text`.
    pub labels: Vec<LabeledSpan>,
}

/// One line of the original text and where it went.
struct Piece {
    /// The line's byte range in the original text, its line break included.
    start: usize,
    end: usize,
    /// What of it is shown.
    shown: std::ops::Range<usize>,
    /// Where the shown part starts in the new text.
    at: usize,
}

impl Piece {
    fn map(&self, offset: usize) -> usize {
        self.at + offset.clamp(self.shown.start, self.shown.end) - self.shown.start
    }
}

/// `text` with every line longer than [`LONGEST_LINE`] cut to a window, and `labels` moved to
/// match; lines and line numbers stay as they were. Text without long lines comes back whole.
pub fn window(text: &str, labels: &[LabeledSpan]) -> Windowed {
    if text.lines().all(|l| l.len() <= LONGEST_LINE) {
        return Windowed {
            text: text.to_string(),
            labels: labels.to_vec(),
        };
    }
    let mut out = String::new();
    let mut pieces = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        let body = start + line.trim_end_matches(['\n', '\r']).len();
        let shown = if body - start <= LONGEST_LINE {
            start..end
        } else {
            let anchor = labels
                .iter()
                .map(LabeledSpan::offset)
                .find(|o| (start..=body).contains(o))
                .unwrap_or(start);
            let from = floor_boundary(text, anchor.saturating_sub(BEFORE_LABEL).max(start));
            let to = floor_boundary(text, (from + LONGEST_LINE).min(body));
            from..to
        };
        if shown.start > start {
            out.push_str(CUT);
        }
        let at = out.len();
        out.push_str(&text[shown.clone()]);
        if shown.end < body {
            out.push_str(CUT);
            out.push_str(&text[body..end]);
        }
        pieces.push(Piece {
            start,
            end,
            shown,
            at,
        });
        start = end;
    }
    let map = |offset: usize| {
        let i = pieces.partition_point(|p| p.end <= offset);
        pieces
            .get(i)
            .or(pieces.last())
            .map_or(out.len(), |p| p.map(offset.max(p.start)))
    };
    let labels = labels
        .iter()
        .map(|l| {
            let from = map(l.offset());
            let to = map(l.offset() + l.len()).max(from);
            let mut moved = LabeledSpan::new_with_span(l.label().map(String::from), from..to);
            if l.primary() {
                moved = LabeledSpan::new_primary_with_span(l.label().map(String::from), from..to);
            }
            moved
        })
        .collect();
    Windowed { text: out, labels }
}

/// The closest character boundary at or before `offset`.
fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(range: std::ops::Range<usize>) -> LabeledSpan {
        LabeledSpan::new_primary_with_span(Some("here".into()), range)
    }

    #[test]
    fn short_text_is_left_alone() {
        let w = window("a\nbc\n", &[label(2..4)]);
        assert_eq!(w.text, "a\nbc\n");
        assert_eq!(w.labels, [label(2..4)]);
    }

    #[test]
    fn a_long_line_is_cut_around_its_label_and_other_lines_keep_their_places() {
        let long = format!("{}needle{}", "x".repeat(100_000), "é".repeat(50_000));
        let text = format!("first\n{long}\nlast\n");
        let at = text.find("needle").unwrap_or_default();
        let w = window(
            &text,
            &[label(at..at + 6), label(text.len() - 5..text.len())],
        );
        let lines: Vec<&str> = w.text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!((lines[0], lines[2]), ("first", "last"));
        assert!(lines[1].starts_with(CUT) && lines[1].ends_with(CUT));
        assert!(lines[1].len() <= LONGEST_LINE + 2 * CUT.len());
        let moved = &w.labels[0];
        assert_eq!(
            &w.text[moved.offset()..moved.offset() + moved.len()],
            "needle"
        );
        let last = &w.labels[1];
        assert_eq!(&w.text[last.offset()..last.offset() + last.len()], "last\n");
    }

    #[test]
    fn a_label_over_a_whole_long_line_is_cut_with_it() {
        let text = "y".repeat(70_000);
        let w = window(
            &text,
            &[label(0..text.len()), label(text.len()..text.len())],
        );
        assert_eq!(w.labels[0].offset(), 0);
        assert_eq!(w.labels[0].len(), LONGEST_LINE);
        assert_eq!(w.labels[1].offset(), LONGEST_LINE);
    }
}
