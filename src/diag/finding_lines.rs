//! Findings as JSON Lines, written straight into a buffer. A run can report hundreds of
//! thousands of findings, and each one's rule, severity, rule location, kinds and file names
//! repeat: they are escaped once per run here, and only what differs from one finding to the
//! next (message, item, key, record ids and lines) is escaped per finding. The bytes are
//! exactly those `serde_json` writes for [`super::json::JsonFinding`] (a test holds them to
//! it), so the documented format does not depend on which path wrote a line.

use crate::eval::Finding;
use crate::pack::Pack;

/// The parts of a finding's line that are fixed for a run, already escaped.
pub struct FindingLines {
    /// Per rule: everything before the message, and everything after the records.
    rules: Vec<(Vec<u8>, Vec<u8>)>,
    /// Per kind: its name as a JSON string.
    kinds: Vec<Vec<u8>>,
    /// Per data source: its name as a JSON string.
    sources: Vec<Vec<u8>>,
}

impl FindingLines {
    /// The fixed parts for a run of `pack` over data sources with these names.
    pub fn new(pack: &Pack, sources: &[String]) -> FindingLines {
        let rules = (pack.plan.rules.iter())
            .map(|rule| {
                let mut before = br#"{"type":"finding","rule":"#.to_vec();
                string(&mut before, &rule.id);
                before.extend_from_slice(br#","severity":""#);
                before.extend_from_slice(rule.severity.as_str().as_bytes());
                before.extend_from_slice(br#"","message":"#);
                let location =
                    super::json::RuleLocation(&rule.location.file, rule.location.line as u32);
                let mut after = br#","rule_location":"#.to_vec();
                string(&mut after, &location.to_string());
                after.extend_from_slice(b"}\n");
                (before, after)
            })
            .collect();
        let quoted = |name: &str| {
            let mut out = Vec::with_capacity(name.len() + 2);
            string(&mut out, name);
            out
        };
        FindingLines {
            rules,
            kinds: (pack.plan.schema.kinds())
                .map(|(_, k)| quoted(&k.name))
                .collect(),
            sources: sources.iter().map(|s| quoted(s)).collect(),
        }
    }

    /// Appends `f` as one line of JSON.
    pub fn write(&self, f: &Finding, out: &mut Vec<u8>) {
        let (before, after) = &self.rules[f.rule];
        out.extend_from_slice(before);
        string(out, &f.message);
        out.extend_from_slice(br#","item":"#);
        match &f.item {
            Some(item) => string(out, item),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(br#","key":["#);
        for (i, part) in f.key.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            string(out, part);
        }
        out.extend_from_slice(br#"],"records":["#);
        for (i, r) in f.records.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(br#"{"id":"#);
            string(out, &r.id);
            out.extend_from_slice(br#","kind":"#);
            out.extend_from_slice(&self.kinds[r.kind.0 as usize]);
            out.extend_from_slice(br#","file":"#);
            match self.sources.get(r.origin.source.0 as usize) {
                Some(name) => out.extend_from_slice(name),
                None => out.extend_from_slice(br#""?""#),
            }
            out.extend_from_slice(br#","line":"#);
            number(out, r.origin.line);
            if r.origin.column != 0 {
                out.extend_from_slice(br#","column":"#);
                number(out, r.origin.column);
            }
            out.push(b'}');
        }
        out.push(b']');
        out.extend_from_slice(after);
    }
}

/// `text` as a JSON string: copied as it is when nothing in it needs escaping (ids, labels
/// and most messages), else escaped by `serde_json`.
fn string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, text);
    }
}

fn number(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Origin, SourceId};
    use crate::eval::RecordRef;
    use crate::schema::KindId;

    const PACK: &str = r#"
schema { kind obj { label: str } kind plain { label: str } }
rule r: warning { for a in plain require false message "m" }
rule other-rule: error { for a in obj require false message "m" }
"#;

    fn record(id: &str, kind: u32, source: u32, line: u32, column: u32) -> RecordRef {
        RecordRef {
            item: "i".into(),
            id: id.into(),
            kind: KindId(kind),
            origin: Origin {
                source: SourceId(source),
                line,
                column,
            },
        }
    }

    #[test]
    fn lines_are_the_bytes_serde_json_writes() {
        let pack = Pack::from_source("rules/a \"b\".cord", PACK).expect("the pack compiles");
        let sources = [
            "data.jsonl".to_string(),
            "clip#1 ü \\ \"x\".jsonl".to_string(),
        ];
        let texts = [
            "",
            "plain",
            "q\"uote",
            "back\\slash",
            "ctl\u{1}\n\t\r\u{7f}",
            "ü → 😀",
        ];
        let lines = FindingLines::new(&pack, &sources);
        let mut n = 0;
        for rule in 0..pack.plan.rules.len() {
            for (t, text) in texts.iter().enumerate() {
                let other = texts[(t + 1) % texts.len()];
                let records = (0..t % 3)
                    .map(|i| {
                        record(
                            other,
                            (i % 2) as u32,
                            (t + i) as u32 % 3,
                            t as u32,
                            i as u32,
                        )
                    })
                    .collect();
                let finding = Finding {
                    rule,
                    item: (t % 2 == 0).then(|| (*text).into()),
                    key: texts[..t].iter().map(|s| s.to_string()).collect(),
                    records,
                    message: other.to_string(),
                };
                let mut fast = Vec::new();
                lines.write(&finding, &mut fast);
                let mut slow =
                    serde_json::to_vec(&super::super::json::finding(&pack, &sources, &finding))
                        .unwrap();
                slow.push(b'\n');
                assert_eq!(String::from_utf8(fast), String::from_utf8(slow));
                n += 1;
            }
        }
        assert_eq!(n, 12);
    }
}
