//! Praat TextGrids, in the long ("verbose") and the short text format.
//!
//! Both formats hold the same sequence of values — strings, numbers and `<exists>` flags —
//! the long one with labels (`xmin =`, `intervals [3]:`) around them. The reader keeps the
//! values and drops the labels, so one parser reads both, as Praat itself does.
//!
//! A file is one item and gives one `grid` record (id `grid`: `start`, `end`, `tiers`), a
//! `tier` record per tier (id `tier-I`: `name`, `index`, `class`, `start`, `end`, `size`), an
//! `interval` record per interval of an interval tier and a `point` record per point of a
//! point tier (id `I.N`, the tier's index and the interval's: `tier`, `tier_index`, `index`,
//! `text`, `start`, `end`; a point's `start` and `end` are its time).

use super::{InputFormat, Out, Rec};

/// A value of the file, with the line it is on.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Text(String),
    Number(f64),
    Flag(bool),
}

/// The values of a TextGrid text, or the line of an unterminated string.
fn tokens(text: &str) -> Result<Vec<(usize, Token)>, usize> {
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        match c {
            '\n' => {
                line += 1;
                chars.next();
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            '"' => {
                let start_line = line;
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some((_, '"')) if chars.peek().is_some_and(|&(_, c)| c == '"') => {
                            chars.next();
                            value.push('"');
                        }
                        Some((_, '"')) => break,
                        Some((_, c)) => {
                            line += usize::from(c == '\n');
                            value.push(c);
                        }
                        None => return Err(start_line),
                    }
                }
                tokens.push((start_line, Token::Text(value)));
            }
            _ => {
                let end = text[at..]
                    .find(|c: char| c.is_whitespace() || c == '"')
                    .map_or(text.len(), |n| at + n);
                let word = &text[at..end];
                while chars.peek().is_some_and(|&(i, _)| i < end) {
                    chars.next();
                }
                if let Some(token) = value_word(word) {
                    tokens.push((line, token));
                }
            }
        }
    }
    Ok(tokens)
}

/// A bare word that is a value (a number or a flag); labels give `None`.
fn value_word(word: &str) -> Option<Token> {
    match word {
        "<exists>" => Some(Token::Flag(true)),
        "<absent>" => Some(Token::Flag(false)),
        _ if word.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.') => {
            word.parse().ok().map(Token::Number)
        }
        _ => None,
    }
}

/// A cursor over the values, reporting what it expected where.
struct Values {
    tokens: Vec<(usize, Token)>,
    at: usize,
}

/// Where the file stops making sense: the line and what was expected there.
struct Unexpected(usize, String);

impl Values {
    fn line(&self) -> usize {
        self.tokens
            .get(self.at)
            .or(self.tokens.last())
            .map_or(1, |(l, _)| *l)
    }

    fn next(&mut self, what: &str) -> Result<(usize, Token), Unexpected> {
        let line = self.line();
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token.ok_or_else(|| Unexpected(line, format!("the file ends where {what} should be")))
    }

    fn number(&mut self, what: &str) -> Result<(usize, f64), Unexpected> {
        match self.next(what)? {
            (line, Token::Number(n)) => Ok((line, n)),
            (line, other) => Err(Unexpected(
                line,
                format!("{what} should be a number, found {}", describe(&other)),
            )),
        }
    }

    fn count(&mut self, what: &str) -> Result<(usize, usize), Unexpected> {
        let (line, n) = self.number(what)?;
        // Each thing counted takes at least one value of the file, so a count beyond what is
        // left is wrong however whole it is (and is never allocated for).
        let left = self.tokens.len().saturating_sub(self.at);
        if n < 0.0 || n.fract() != 0.0 {
            Err(Unexpected(
                line,
                format!("{what} should be a whole number, found {n}"),
            ))
        } else if n > left as f64 {
            Err(Unexpected(
                line,
                format!("{what} is {n}, more than the {left} values left in the file"),
            ))
        } else {
            Ok((line, n as usize))
        }
    }

    fn text(&mut self, what: &str) -> Result<(usize, String), Unexpected> {
        match self.next(what)? {
            (line, Token::Text(t)) => Ok((line, t)),
            (line, other) => Err(Unexpected(
                line,
                format!(
                    "{what} should be a quoted string, found {}",
                    describe(&other)
                ),
            )),
        }
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Text(t) => format!("\"{t}\""),
        Token::Number(n) => format!("the number {n}"),
        Token::Flag(true) => "<exists>".into(),
        Token::Flag(false) => "<absent>".into(),
    }
}

pub(super) fn read(text: &str, out: &mut Out) {
    let tokens = match tokens(text) {
        Ok(tokens) => tokens,
        Err(line) => {
            out.malformed(
                InputFormat::TextGrid,
                line,
                "a string that starts here is never closed".into(),
                Some(
                    "TextGrid strings are in double quotes; a quote inside one is written twice"
                        .into(),
                ),
            );
            return;
        }
    };
    let mut values = Values { tokens, at: 0 };
    if let Err(Unexpected(line, message)) = grid(&mut values, out) {
        out.malformed(
            InputFormat::TextGrid,
            line,
            message,
            Some("the records before this point were read; nothing after it".into()),
        );
    }
}

fn grid(values: &mut Values, out: &mut Out) -> Result<(), Unexpected> {
    let (line, file_type) = values.text("the file type")?;
    if file_type != "ooTextFile" {
        return Err(Unexpected(
            line,
            format!("a TextGrid's file type is \"ooTextFile\", found \"{file_type}\""),
        ));
    }
    let (line, class) = values.text("the object class")?;
    if class != "TextGrid" {
        return Err(Unexpected(
            line,
            format!("the object class should be \"TextGrid\", found \"{class}\""),
        ));
    }
    let (line, start) = values.number("the grid's xmin")?;
    let (_, end) = values.number("the grid's xmax")?;
    let tiers = match values.next("`<exists>` before the tiers")? {
        (_, Token::Flag(true)) => values.count("the number of tiers")?.1,
        (_, Token::Flag(false)) => 0,
        (line, other) => {
            return Err(Unexpected(
                line,
                format!(
                    "`<exists>` or `<absent>` should come before the tiers, found {}",
                    describe(&other)
                ),
            ))
        }
    };
    let record = Rec::new(out.item, "grid", "grid".into())
        .num("start", start)
        .num("end", end)
        .int("tiers", tiers);
    out.record(line, record);
    for index in 1..=tiers {
        tier(values, out, index)?;
    }
    Ok(())
}

fn tier(values: &mut Values, out: &mut Out, index: usize) -> Result<(), Unexpected> {
    let (line, class) = values.text("a tier's class")?;
    let points = match class.as_str() {
        "IntervalTier" => false,
        "TextTier" | "PointTier" => true,
        other => return Err(Unexpected(line, format!("tier {index}'s class should be \"IntervalTier\" or \"TextTier\", found \"{other}\""))),
    };
    let (_, name) = values.text("the tier's name")?;
    let (_, start) = values.number("the tier's xmin")?;
    let (_, end) = values.number("the tier's xmax")?;
    let (_, size) = values.count("the tier's number of entries")?;
    let record = Rec::new(out.item, "tier", format!("tier-{index}"))
        .text("name", name.clone())
        .int("index", index)
        .text("class", class)
        .num("start", start)
        .num("end", end)
        .int("size", size);
    out.record(line, record);
    for n in 1..=size {
        let id = format!("{index}.{n}");
        let record = if points {
            let (line, time) = values.number("a point's time")?;
            let (_, mark) = values.text("a point's mark")?;
            (
                line,
                Rec::new(out.item, "point", id)
                    .num("start", time)
                    .num("end", time)
                    .text("text", mark),
            )
        } else {
            let (line, start) = values.number("an interval's xmin")?;
            let (_, end) = values.number("an interval's xmax")?;
            let (_, text) = values.text("an interval's text")?;
            (
                line,
                Rec::new(out.item, "interval", id)
                    .num("start", start)
                    .num("end", end)
                    .text("text", text),
            )
        };
        let (line, rec) = record;
        out.record(
            line,
            rec.text("tier", name.clone())
                .int("tier_index", index)
                .int("index", n),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_short_formats_give_the_same_values() {
        let long = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\nxmin = 0 \nxmax = 2.5 \ntiers? <exists> \nsize = 1 \nitem []: \n    item [1]:\n        class = \"IntervalTier\" \n        name = \"wo\"\"rd\" \n        xmin = 0 \n        xmax = 2.5 \n        intervals: size = 1 \n        intervals [1]:\n            xmin = -0 \n            xmax = 2.5 \n            text = \"a\nb\" \n";
        let short = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n\n0\n2.5\n<exists>\n1\n\"IntervalTier\"\n\"wo\"\"rd\"\n0\n2.5\n1\n-0\n2.5\n\"a\nb\"\n";
        let values = |t: &str| {
            tokens(t)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
        };
        assert_eq!(values(long), values(short));
        assert_eq!(values(long)[7], Token::Text("wo\"rd".into()));
        assert_eq!(
            tokens(long).unwrap_or_default().last().map(|(l, _)| *l),
            Some(18)
        );
    }
}
