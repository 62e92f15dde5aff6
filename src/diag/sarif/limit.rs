//! Holding a log to a number of results. Code scanning refuses a run with more than 25,000
//! results (and shows the first 5,000), so a large data set's findings would make the whole
//! upload fail; past the limit, results are left out in output order, and what was left out
//! is counted per rule for the log's notification.

use std::collections::BTreeMap;
use std::io::{self, Write};

/// A writer of results (each `,` and a line of JSON; the very first without its `,`) that
/// passes the first `left` and counts the rules of the rest. It reads whole lines, so the
/// separators of what it passes are its own.
pub(super) struct Limited<'w> {
    inner: &'w mut dyn Write,
    /// Results still to pass.
    left: usize,
    /// Whether a result was written before the first one given here (so the first passed
    /// needs its `,`).
    after_others: bool,
    /// The line being read.
    line: Vec<u8>,
    /// Results left out, per rule id.
    omitted: BTreeMap<String, u64>,
}

impl<'w> Limited<'w> {
    pub fn new(inner: &'w mut dyn Write, left: usize, after_others: bool) -> Self {
        Limited {
            inner,
            left,
            after_others,
            line: Vec::new(),
            omitted: BTreeMap::new(),
        }
    }

    /// Passes or counts the result in the line just read.
    fn take_line(&mut self) -> io::Result<()> {
        let line = std::mem::take(&mut self.line);
        let body = line.strip_suffix(b",").unwrap_or(&line);
        if body.is_empty() {
            return Ok(());
        }
        if self.left > 0 {
            self.left -= 1;
            let separator: &[u8] = if self.after_others { b",\n" } else { b"\n" };
            self.after_others = true;
            self.inner.write_all(separator)?;
            return self.inner.write_all(body);
        }
        #[derive(serde::Deserialize)]
        struct Result {
            #[serde(rename = "ruleId")]
            rule_id: String,
        }
        if let Ok(r) = serde_json::from_slice::<Result>(body) {
            *self.omitted.entry(r.rule_id).or_default() += 1;
        }
        Ok(())
    }

    /// Takes the last result; gives the results left out, per rule.
    pub fn finish(mut self) -> io::Result<BTreeMap<String, u64>> {
        self.take_line()?;
        Ok(self.omitted)
    }
}

impl Write for Limited<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&rest[..at]);
            self.take_line()?;
            rest = &rest[at + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_results_pass_and_the_rest_are_counted_per_rule() {
        let lines = [
            r#"{"ruleId":"a","x":1}"#,
            r#"{"ruleId":"b"}"#,
            r#"{"ruleId":"a"}"#,
            r#"{"ruleId":"a"}"#,
        ];
        let text: String = lines.iter().map(|l| format!(",\n{l}")).collect();
        let mut out = Vec::new();
        let mut limited = Limited::new(&mut out, 2, false);
        // Written in pieces that split lines anywhere, the first result without its `,`.
        for piece in text.as_bytes()[1..].chunks(7) {
            limited.write_all(piece).unwrap();
        }
        let omitted = limited.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("\n{},\n{}", lines[0], lines[1])
        );
        assert_eq!(omitted, BTreeMap::from([("a".to_string(), 2)]));
    }
}
