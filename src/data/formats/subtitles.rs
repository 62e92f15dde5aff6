//! WebVTT, SRT and SBV subtitles: one `cue` record per cue.
//!
//! A cue gives `start` and `end` (seconds), `text` (its lines joined by a newline, markup
//! removed, character references decoded), `index` (its position among the file's cues,
//! from 1), `speaker` when a WebVTT voice tag (`<v Name>`) names one, and `settings` for
//! WebVTT cue settings. Its id is the cue identifier (the SRT number) when it has one, else
//! `cue-N` with N its index. The parsers are strict about timestamps, as players are not: a
//! timestamp that does not follow the format, or a cue without a timing line, is reported at
//! its line and that cue is left out; every other cue is still read.

use super::{blocks, numbered_lines, InputFormat, Out, Rec};

/// One cue as read, before it becomes a record.
struct Cue {
    line: usize,
    identifier: Option<String>,
    start: f64,
    end: f64,
    settings: Option<String>,
    text: Vec<String>,
}

/// Numbers the cues of a file and writes them out.
struct Cues<'o, 'a, 'e> {
    out: &'o mut Out<'a, 'e>,
    format: InputFormat,
    count: usize,
}

impl Cues<'_, '_, '_> {
    fn push(&mut self, cue: Cue) {
        self.count += 1;
        let raw = cue.text.join("\n");
        let (text, speaker) = if self.format == InputFormat::WebVtt {
            plain_text(&raw)
        } else {
            (strip_srt_tags(&raw), None)
        };
        let id = cue
            .identifier
            .unwrap_or_else(|| format!("cue-{}", self.count));
        let record = Rec::new(self.out.item, "cue", id)
            .num("start", cue.start)
            .num("end", cue.end)
            .int("index", self.count)
            .text("text", text)
            .text_opt("speaker", speaker)
            .text_opt("settings", cue.settings);
        self.out.record(cue.line, record);
    }

    fn malformed(&mut self, line: usize, message: String, help: &str) {
        self.out
            .malformed(self.format, line, message, Some(help.to_string()));
    }
}

/// WebVTT: a `WEBVTT` header, then blocks; `NOTE`, `STYLE` and `REGION` blocks are skipped.
pub(super) fn read_vtt(text: &str, out: &mut Out) {
    let lines: Vec<(usize, &str)> = numbered_lines(text).collect();
    let mut cues = Cues {
        out,
        format: InputFormat::WebVtt,
        count: 0,
    };
    let has_header = lines.first().is_some_and(|(_, l)| is_vtt_signature(l));
    if !has_header {
        let found = lines.first().map_or("an empty file".to_string(), |(_, l)| {
            format!("`{}`", clip(l))
        });
        cues.malformed(
            1,
            format!("a WebVTT file starts with `WEBVTT`, found {found}"),
            "add a first line `WEBVTT`; the cues below are still read",
        );
    }
    let mut blocks = blocks(&lines).into_iter();
    if has_header {
        blocks.next(); // the header and its metadata lines
    }
    for block in blocks {
        let first = block[0].1;
        if ["NOTE", "STYLE", "REGION"]
            .iter()
            .any(|w| starts_word(first, w))
        {
            continue;
        }
        vtt_block(&block, &mut cues);
    }
}

/// `WEBVTT` alone or followed by a space, a tab or a description.
fn is_vtt_signature(line: &str) -> bool {
    line.strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

fn starts_word(line: &str, word: &str) -> bool {
    line.strip_prefix(word)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// One block: an optional identifier, a timing line, text. A timing line inside the text
/// starts a new cue (as the WebVTT parsing rules say), so a repeated timing line leaves the
/// cue before it without text.
fn vtt_block(block: &[(usize, &str)], cues: &mut Cues) {
    let mut at = 0;
    let mut identifier = None;
    if !block[0].1.contains("-->") {
        identifier = Some(block[0].1.trim().to_string());
        at = 1;
        if block.get(1).is_none_or(|(_, l)| !l.contains("-->")) {
            let (line, id) = (block[0].0, block[0].1.trim());
            cues.malformed(
                line,
                format!("cue `{}` has no timing line", clip(id)),
                "a cue is an optional identifier line, then `start --> end`, then its text",
            );
            return;
        }
    }
    while at < block.len() {
        let (line, timing) = block[at];
        let mut text = Vec::new();
        at += 1;
        while at < block.len() && !block[at].1.contains("-->") {
            text.push(block[at].1.to_string());
            at += 1;
        }
        match vtt_timing(timing) {
            Ok((start, end, settings)) => cues.push(Cue {
                line,
                identifier: identifier.take(),
                start,
                end,
                settings,
                text,
            }),
            Err(bad) => cues.malformed(
                line,
                format!("`{}` is not a WebVTT timestamp", clip(&bad)),
                "WebVTT timestamps are `mm:ss.ttt` or `hh:mm:ss.ttt`, e.g. `00:01:02.500`",
            ),
        }
        identifier = None;
    }
}

/// `start --> end [settings]`, or the text that is not a timestamp.
fn vtt_timing(line: &str) -> Result<(f64, f64, Option<String>), String> {
    let (start, rest) = line.split_once("-->").ok_or_else(|| line.to_string())?;
    let rest = rest.trim_start();
    let (end, settings) = rest
        .split_once([' ', '\t'])
        .map_or((rest, ""), |(e, s)| (e, s.trim()));
    let start =
        clock(start.trim(), '.', Hours::Optional).ok_or_else(|| start.trim().to_string())?;
    let end = clock(end, '.', Hours::Optional).ok_or_else(|| end.to_string())?;
    let settings = (!settings.is_empty()).then(|| settings.to_string());
    Ok((start, end, settings))
}

/// SRT: blocks of a number, `hh:mm:ss,ttt --> hh:mm:ss,ttt`, and text.
pub(super) fn read_srt(text: &str, out: &mut Out) {
    let lines: Vec<(usize, &str)> = numbered_lines(text).collect();
    let mut cues = Cues {
        out,
        format: InputFormat::Srt,
        count: 0,
    };
    for block in blocks(&lines) {
        let (first_line, first) = block[0];
        let numbered = first.trim().chars().all(|c| c.is_ascii_digit());
        let (identifier, timing_at) = if numbered {
            (Some(first.trim().to_string()), 1)
        } else {
            (None, 0)
        };
        let Some(&(line, timing)) = block.get(timing_at).filter(|(_, l)| l.contains("-->")) else {
            let what = if numbered {
                format!("cue {} has no timing line", first.trim())
            } else {
                format!("`{}` is not the start of an SRT cue", clip(first))
            };
            cues.malformed(
                first_line,
                what,
                "an SRT cue is a number, then `hh:mm:ss,ttt --> hh:mm:ss,ttt`, then its text",
            );
            continue;
        };
        match srt_timing(timing) {
            Ok((start, end)) => cues.push(Cue {
                line,
                identifier,
                start,
                end,
                settings: None,
                text: block[timing_at + 1..]
                    .iter()
                    .map(|(_, l)| l.to_string())
                    .collect(),
            }),
            Err(bad) => cues.malformed(
                line,
                format!("`{}` is not an SRT timestamp", clip(&bad)),
                "SRT timestamps are `hh:mm:ss,ttt` with a comma before the milliseconds, e.g. `00:01:02,500`",
            ),
        }
    }
}

/// `start --> end`, with optional coordinates after the end.
fn srt_timing(line: &str) -> Result<(f64, f64), String> {
    let (start, rest) = line.split_once("-->").ok_or_else(|| line.to_string())?;
    let end = rest.split_whitespace().next().unwrap_or("");
    let start =
        clock(start.trim(), ',', Hours::Required).ok_or_else(|| start.trim().to_string())?;
    let end = clock(end, ',', Hours::Required).ok_or_else(|| end.to_string())?;
    Ok((start, end))
}

/// SBV: blocks of `h:mm:ss.ttt,h:mm:ss.ttt` and text.
pub(super) fn read_sbv(text: &str, out: &mut Out) {
    let lines: Vec<(usize, &str)> = numbered_lines(text).collect();
    let mut cues = Cues {
        out,
        format: InputFormat::Sbv,
        count: 0,
    };
    for block in blocks(&lines) {
        let (line, timing) = block[0];
        let parsed = timing.trim().split_once(',').map(|(s, e)| {
            let start = clock(s, '.', Hours::Required);
            let end = clock(e, '.', Hours::Required);
            (start, end, s, e)
        });
        match parsed {
            Some((Some(start), Some(end), _, _)) => cues.push(Cue {
                line,
                identifier: None,
                start,
                end,
                settings: None,
                text: block[1..].iter().map(|(_, l)| l.to_string()).collect(),
            }),
            Some((start, _, s, e)) if looks_like_clock(s) && looks_like_clock(e) => {
                let bad = if start.is_none() { s } else { e };
                cues.malformed(
                    line,
                    format!("`{}` is not an SBV timestamp", clip(bad)),
                    "SBV timestamps are `h:mm:ss.ttt`, e.g. `0:01:02.500`",
                );
            }
            _ => cues.malformed(
                line,
                format!("`{}` is not an SBV timing line", clip(timing)),
                "an SBV cue is `h:mm:ss.ttt,h:mm:ss.ttt`, then its text",
            ),
        }
    }
}

/// Whether a text is shaped like a clock time (digits, colons and one dot), even if one
/// digit is wrong: such a line is a timing line with a typo, not missing.
fn looks_like_clock(text: &str) -> bool {
    text.matches(':').count() >= 1 && text.contains('.') && text.len() <= 16
}

/// Whether a clock time must have hours.
#[derive(Clone, Copy, PartialEq)]
enum Hours {
    Required,
    Optional,
}

/// `[h…:]mm:ss<sep>ttt` in seconds: minutes and seconds two digits below 60, exactly three
/// digits of milliseconds. Computed in whole milliseconds, so `00:00:07.960` is 7.96.
fn clock(text: &str, separator: char, hours: Hours) -> Option<f64> {
    let (clock, millis) = text.split_once(separator)?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let (h, m, s) = match (parts.as_slice(), hours) {
        ([h, m, s], _) => (*h, *m, *s),
        ([m, s], Hours::Optional) => ("0", *m, *s),
        _ => return None,
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) || !digits(s) || m.len() != 2 || s.len() != 2 {
        return None;
    }
    let (h, m, s): (u64, u64, u64) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    if m >= 60 || s >= 60 {
        return None;
    }
    let millis: u64 = millis.parse().ok()?;
    Some(((h * 3600 + m * 60 + s) * 1000 + millis) as f64 / 1000.0)
}

/// WebVTT cue text without markup, and the speaker of its first voice tag.
fn plain_text(raw: &str) -> (String, Option<String>) {
    let mut text = String::with_capacity(raw.len());
    let mut speaker = None;
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        text.push_str(&decode_references(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            rest = &rest[open..];
            break;
        };
        let tag = &rest[open + 1..open + close];
        if speaker.is_none() {
            speaker = voice(tag);
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(&decode_references(rest));
    (text, speaker)
}

/// The name in a voice start tag: `v Name`, `v.class Name`.
fn voice(tag: &str) -> Option<String> {
    let rest = tag.strip_prefix('v')?;
    if !rest.starts_with(['.', ' ', '\t']) {
        return None;
    }
    let name = rest.split_once([' ', '\t'])?.1.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Character references in cue text, as WebVTT takes them from HTML: every named one
/// (`&hellip;`, `&quot;`, `&nbsp;`) and numeric ones (`&#39;`, `&#x2019;`).
fn decode_references(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    html_escape::decode_html_entities(text).into_owned()
}

/// SRT text without the HTML-like tags players accept (`<i>`, `<b>`, `<font …>`).
fn strip_srt_tags(raw: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) if is_tag(&rest[open + 1..open + close]) => {
                rest = &rest[open + close + 1..]
            }
            _ => {
                text.push('<');
                rest = &rest[open + 1..];
            }
        }
    }
    text.push_str(rest);
    text
}

fn is_tag(inner: &str) -> bool {
    let name = inner.trim_start_matches('/');
    ["i", "b", "u", "font"]
        .iter()
        .any(|t| name == *t || name.starts_with(&format!("{t} ")))
}

/// A line cut for a message.
fn clip(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_follow_each_format() {
        assert_eq!(clock("00:00:07.960", '.', Hours::Optional), Some(7.96));
        assert_eq!(clock("00:16.500", '.', Hours::Optional), Some(16.5));
        assert_eq!(clock("00:16.500", '.', Hours::Required), None);
        assert_eq!(clock("123:00:00,000", ',', Hours::Required), Some(442800.0));
        for bad in [
            "00:00:1d.890",
            "0:00:13.f89",
            "00:00:11.890",
            "00:06:47,28",
            "00:60:00,000",
        ] {
            assert_eq!(clock(bad, ',', Hours::Required), None, "{bad}");
        }
    }

    #[test]
    fn vtt_text_loses_markup_and_keeps_the_voice() {
        let (text, speaker) = plain_text("<v.loud Mary Ann>Hi <b>there</b> &amp; <00:19.000>bye");
        assert_eq!(text, "Hi there & bye");
        assert_eq!(speaker.as_deref(), Some("Mary Ann"));
        assert_eq!(strip_srt_tags("<i>a</i> < b"), "a < b");
    }

    #[test]
    fn vtt_character_references_are_decoded() {
        let (text, _) = plain_text(
            "it&#39;s &quot;fine&quot;&hellip; &#x2014; caf&eacute; &lt;b&gt; &amp;amp; & ;",
        );
        assert_eq!(
            text,
            "it's \"fine\"\u{2026} \u{2014} caf\u{e9} <b> &amp; & ;"
        );
    }
}
