//! The fast path for the common line: one pass over its text straight into a [`Record`],
//! each field read as the type the schema declares, with no intermediate tree and no
//! allocation beyond the record's own. It reads lines already checked as UTF-8; a line that
//! is not goes to the general path.
//!
//! Anything unusual (a wrong type, a missing field, a value outside its enum, an unknown
//! kind, an id given as a number, `null` for a required field, an escape in a key, deeply
//! nested JSON …) makes the fast path give up, and the line goes through the
//! general path ([`super::Line`] then [`super::Validator::record`]), which produces the
//! diagnostic. Giving up is always safe; the fast path therefore returns only records the
//! general path would return, equal in every field, and the tests below hold both to that
//! on generated lines.
//!
//! It is a scanner written for one shape — a flat object whose values the schema types —
//! rather than a general JSON parser driven through `serde`: most of a record line is keys
//! and short strings, and a scanner that knows which type comes next does a third of the
//! work.

use super::validate::Shared;
use super::{Origin, Record, Validator, Value};
use crate::schema::{Kind, KindId, Shape, Type};
use crate::value::same_short_text;
use smallvec::SmallVec;
use std::borrow::Cow;
use std::sync::Arc;

/// Reads a line into a record, or `None` when the general path must look at it.
pub(crate) fn record(
    validator: &Validator,
    text: &str,
    origin: Origin,
    shared: &mut Shared,
) -> Option<Record> {
    let mut scan = Scan {
        text,
        at: 0,
        max_list_len: validator.max_list_len(),
    };
    let parts = scan.record(validator, shared)?;
    scan.end()?;
    parts.finish(validator, origin)
}

/// What the one pass collected.
struct Parts<'l> {
    item: Option<Arc<str>>,
    kind: Option<KindId>,
    id: Option<Cow<'l, str>>,
    /// The kind's fields, `Missing` until given.
    fields: Vec<Value>,
    /// Which fields were given (a kind has at most 64 for the fast path).
    given: u64,
}

impl Parts<'_> {
    fn finish(self, validator: &Validator, origin: Origin) -> Option<Record> {
        let kind_id = self.kind?;
        let kind = validator.schema().kind(kind_id);
        let required = validator.required_mask(kind_id);
        if self.given & required != required {
            return None;
        }
        let record = Record {
            item: self.item?,
            kind: kind_id,
            id: super::small_text(&self.id?),
            fields: self.fields.into_boxed_slice(),
            origin,
            extras: None,
        };
        match kind.interval {
            Some((s, e)) if record.num(s) > record.num(e) => None,
            _ => Some(record),
        }
    }
}

/// Nesting deeper than this, inside a field no kind declares, is left to the general path.
const MAX_SKIP_DEPTH: usize = 32;

/// A cursor over one line of valid UTF-8. Every method returns `None` to give up.
struct Scan<'l> {
    text: &'l str,
    at: usize,
    /// Longer lists are left to the general path, which reports them.
    max_list_len: usize,
}

impl<'l> Scan<'l> {
    fn bytes(&self) -> &'l [u8] {
        self.text.as_bytes()
    }

    /// The next byte after JSON whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        while let Some(&b) = bytes.get(self.at) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    /// Consumes `want` (after whitespace).
    fn expect(&mut self, want: u8) -> Option<()> {
        (self.peek()? == want).then(|| self.at += 1)
    }

    /// Only whitespace is left.
    fn end(&mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// After a member or element: `true` for a comma, `false` for the closing bracket.
    fn more(&mut self, close: u8) -> Option<bool> {
        match self.peek()? {
            b',' => {
                self.at += 1;
                Some(true)
            }
            b if b == close => {
                self.at += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// An object key: a string without escapes, followed by its colon.
    fn key(&mut self) -> Option<&'l str> {
        match self.string()? {
            Cow::Borrowed(key) => {
                self.expect(b':')?;
                Some(key)
            }
            Cow::Owned(_) => None,
        }
    }

    /// A string, borrowed when it has no escapes.
    fn string(&mut self) -> Option<Cow<'l, str>> {
        self.expect(b'"')?;
        let start = self.at;
        let bytes = self.bytes();
        self.at += plain_run(&bytes[start..]);
        loop {
            match *bytes.get(self.at)? {
                b'"' => {
                    let text = &self.text[start..self.at];
                    self.at += 1;
                    return Some(Cow::Borrowed(text));
                }
                b'\\' => return self.escaped(start).map(Cow::Owned),
                0..=0x1f => return None,
                _ => self.at += 1,
            }
        }
    }

    /// The rest of a string from its first escape on.
    fn escaped(&mut self, start: usize) -> Option<String> {
        let mut out = String::from(&self.text[start..self.at]);
        let bytes = self.bytes();
        loop {
            let run = self.at;
            self.at += plain_run(&bytes[run..]);
            out.push_str(&self.text[run..self.at]);
            match *bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(out);
                }
                b'\\' => {
                    let escape = *bytes.get(self.at + 1)?;
                    self.at += 2;
                    out.push(match escape {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    });
                }
                _ => return None,
            }
        }
    }

    /// The character of a `\u` escape whose `\u` is consumed, pairing surrogates; a lone
    /// surrogate gives up.
    fn unicode_escape(&mut self) -> Option<char> {
        let high = self.hex4()?;
        if !(0xD800..0xDC00).contains(&high) {
            return char::from_u32(high);
        }
        if self.bytes().get(self.at..self.at + 2)? != b"\\u" {
            return None;
        }
        self.at += 2;
        let low = self.hex4()?;
        if !(0xDC00..0xE000).contains(&low) {
            return None;
        }
        char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes().get(self.at..self.at + 4)?;
        let mut n = 0;
        for &d in digits {
            n = n * 16 + (d as char).to_digit(16)?;
        }
        self.at += 4;
        Some(n)
    }

    /// A number in JSON's grammar, as the nearest double; infinite results give up.
    fn number(&mut self) -> Option<f64> {
        self.peek()?;
        let start = self.at;
        let negative = self.eat(b'-');
        let mut digits = Digits::default();
        match self.bytes().get(self.at)? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(&mut digits),
            _ => return None,
        }
        let whole = digits.count;
        if self.eat(b'.') {
            self.required_digits(&mut digits)?;
        }
        let mut exponent = false;
        if self.eat(b'e') || self.eat(b'E') {
            exponent = true;
            let _ = self.eat(b'+') || self.eat(b'-');
            self.required_digits(&mut Digits::default())?;
        }
        if let Some(x) = digits.exact(whole).filter(|_| !exponent) {
            return Some(if negative { -x } else { x });
        }
        let x: f64 = self.text[start..self.at].parse().ok()?;
        x.is_finite().then_some(x)
    }

    /// Consumes `b` if it is next (no whitespace skipped).
    fn eat(&mut self, b: u8) -> bool {
        let hit = self.bytes().get(self.at) == Some(&b);
        self.at += hit as usize;
        hit
    }

    /// Consumes a run of digits, adding them to `into`.
    fn digits(&mut self, into: &mut Digits) {
        let bytes = self.bytes();
        while let Some(&d) = bytes.get(self.at).filter(|d| d.is_ascii_digit()) {
            into.push(d - b'0');
            self.at += 1;
        }
    }

    fn required_digits(&mut self, into: &mut Digits) -> Option<()> {
        let start = self.at;
        self.digits(into);
        (self.at > start).then_some(())
    }

    /// `true`, `false` or `null`, spelled out.
    fn word(&mut self, word: &[u8]) -> Option<()> {
        self.peek()?;
        if self.bytes().get(self.at..self.at + word.len())? != word {
            return None;
        }
        self.at += word.len();
        Some(())
    }

    /// Reads a value of the declared type into `slot`, where the record keeps it. (A value
    /// built here and returned would be copied through memory on its way there, a few bytes
    /// at a time, and read back whole: a read the processor cannot serve from the writes
    /// still in flight, which stalls it.)
    fn typed_into(
        &mut self,
        ty: &Type,
        optional: bool,
        shared: &mut Shared,
        slot: &mut Value,
    ) -> Option<()> {
        match (self.peek()?, ty) {
            (b'n', _) if optional => {
                self.word(b"null")?;
                *slot = Value::Missing;
            }
            (b'"', Type::Str | Type::Ref(_)) => *slot = Value::str(&self.string()?),
            (b'"', Type::Enum(e)) => *slot = e.value(&self.string()?)?.clone(),
            (b'-' | b'0'..=b'9', Type::Num | Type::Time | Type::Duration) => {
                *slot = Value::Num(self.number()?);
            }
            (b't', Type::Bool) => {
                self.word(b"true")?;
                *slot = Value::Bool(true);
            }
            (b'f', Type::Bool) => {
                self.word(b"false")?;
                *slot = Value::Bool(false);
            }
            (b'[', Type::List(elem)) => *slot = self.list(elem, self.max_list_len, shared)?,
            // A box or point is a short list of numbers; a polygon, rarer, takes the general
            // path.
            (b'[', Type::Shape(shape @ (Shape::Box | Shape::Point))) => {
                let numbers = self.list(&Type::Num, 5, shared)?;
                *slot = crate::ops::space::checked_shape(*shape, numbers)?;
            }
            (b'{', Type::Shape(Shape::Box)) => *slot = self.box_object()?,
            _ => return None,
        }
        Some(())
    }

    /// A box written as an object of numbers (`{"x": 1, "y": 2, "width": 3, "height": 4}`);
    /// anything else is left to the general path, which says what is wrong.
    fn box_object(&mut self) -> Option<Value> {
        use crate::ops::space::{box_from_members, BOX_MEMBERS};
        self.expect(b'{')?;
        let mut members: [(&str, f64); BOX_MEMBERS] = [("", 0.0); BOX_MEMBERS];
        let mut len = 0;
        loop {
            let key = self.key()?;
            let value = self.number()?;
            *members.get_mut(len)? = (key, value);
            len += 1;
            if !self.more(b'}')? {
                return box_from_members(members[..len].iter().copied());
            }
        }
    }

    /// A list, or `None` past `max_len` values (an error the general path reports).
    fn list(&mut self, elem: &Type, max_len: usize, shared: &mut Shared) -> Option<Value> {
        let start = shared.list_items.len();
        let read = self.list_items(elem, max_len, shared);
        // Elements are gathered on a stack shared by every list of the batch (nested lists
        // stack theirs above), so that a list costs one allocation of its exact size.
        let items: Option<Arc<[Value]>> = read.map(|()| shared.list_items.drain(start..).collect());
        shared.list_items.truncate(start);
        items.map(Value::List)
    }

    /// Pushes a list's elements onto `shared.list_items`.
    fn list_items(&mut self, elem: &Type, max_len: usize, shared: &mut Shared) -> Option<()> {
        self.expect(b'[')?;
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        let mut len = 0;
        loop {
            let mut item = Value::Missing;
            self.typed_into(elem, false, shared, &mut item)?;
            shared.list_items.push(item);
            len += 1;
            if len > max_len {
                return None;
            }
            if !self.more(b']')? {
                return Some(());
            }
        }
    }

    /// Any JSON value, checked and dropped (a field the kind does not declare).
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'n' => self.word(b"null"),
            b'[' if depth < MAX_SKIP_DEPTH => {
                self.at += 1;
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    if !self.more(b']')? {
                        return Some(());
                    }
                }
            }
            b'{' if depth < MAX_SKIP_DEPTH => {
                self.at += 1;
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Some(());
                }
                loop {
                    self.string()?;
                    self.expect(b':')?;
                    self.skip(depth + 1)?;
                    if !self.more(b'}')? {
                        return Some(());
                    }
                }
            }
            _ => None,
        }
    }

    /// The top-level object. Fields written before `kind` are skipped and read again once
    /// the kind says their types.
    fn record(&mut self, validator: &Validator, shared: &mut Shared) -> Option<Parts<'l>> {
        let mut parts = Parts {
            item: None,
            kind: None,
            id: None,
            fields: Vec::new(),
            given: 0,
        };
        self.expect(b'{')?;
        if self.peek()? == b'}' {
            return None;
        }
        let mut early: SmallVec<[(&'l str, usize); 4]> = SmallVec::new();
        let mut guess = 0;
        let mut keys = 0;
        loop {
            keys += 1;
            if keys > validator.max_fields() {
                return None;
            }
            if let Some(kind) = parts.kind.map(|id| validator.schema().kind(id)) {
                if self.eat_expected_key(kind, guess) {
                    guess = self.field_at(kind, guess, &mut parts, shared)?;
                    if !self.more(b'}')? {
                        return Some(parts);
                    }
                    continue;
                }
            }
            match self.key()? {
                "item" => parts.item = Some(shared.item(&self.string()?)),
                // Waivers are rare: the general path reads and checks them.
                "waive" => return None,
                "id" => parts.id = Some(self.string()?),
                "kind" => {
                    if parts.kind.is_some() {
                        return None;
                    }
                    let id = validator.kind_id(&self.string()?)?;
                    let kind = validator.schema().kind(id);
                    if kind.fields.len() > 64 {
                        return None;
                    }
                    parts.kind = Some(id);
                    parts.fields = Vec::with_capacity(kind.fields.len());
                    parts
                        .fields
                        .resize_with(kind.fields.len(), || Value::Missing);
                    let resume = self.at;
                    for (name, at) in early.drain(..) {
                        self.at = at;
                        self.field(kind, name, 0, &mut parts, shared)?;
                    }
                    self.at = resume;
                }
                name => match parts.kind {
                    Some(id) => {
                        let kind = validator.schema().kind(id);
                        guess = self.field(kind, name, guess, &mut parts, shared)?;
                    }
                    None => {
                        early.push((name, self.at));
                        self.skip(0)?;
                    }
                },
            }
            if !self.more(b'}')? {
                return Some(parts);
            }
        }
    }

    /// One field of a known kind: read as its type, or skipped when the kind does not
    /// declare it. Returns where the next field is likely to be in the kind's order.
    fn field(
        &mut self,
        kind: &Kind,
        name: &str,
        guess: usize,
        parts: &mut Parts,
        shared: &mut Shared,
    ) -> Option<usize> {
        let Some(i) = field_index(kind, name, guess) else {
            self.skip(0)?;
            return Some(guess);
        };
        self.field_at(kind, i, parts, shared)
    }

    /// The value of the kind's `i`th field, whose key is consumed. Returns the index of
    /// the field likely to come next.
    fn field_at(
        &mut self,
        kind: &Kind,
        i: usize,
        parts: &mut Parts,
        shared: &mut Shared,
    ) -> Option<usize> {
        let field = kind.field(crate::schema::FieldId(i as u32));
        self.typed_into(&field.ty, field.optional, shared, &mut parts.fields[i])?;
        parts.given |= 1 << i;
        Some(i + 1)
    }

    /// Consumes `"name":` when the key next is the kind's `i`th field, compared in place:
    /// writers put a kind's fields in the same order on every line, so this usually saves
    /// reading the key as a string and looking it up. On a miss nothing is consumed (but
    /// whitespace), and the key is read the usual way.
    fn eat_expected_key(&mut self, kind: &Kind, i: usize) -> bool {
        let Some((name, _)) = kind.fields.get_index(i) else {
            return false;
        };
        if self.peek() != Some(b'"') {
            return false;
        }
        let (start, name) = (self.at + 1, name.as_bytes());
        let end = start + name.len();
        match self.bytes().get(start..end + 2) {
            Some([key @ .., b'"', b':']) if same_short_text(key, name) => {
                self.at = end + 2;
                true
            }
            _ => false,
        }
    }
}

/// The digits of a number's integer and fraction parts, as one integer while it is exact.
#[derive(Default)]
struct Digits {
    /// The digits read so far, as an integer (meaningful while `count` ≤ 15).
    mantissa: u64,
    count: u32,
}

impl Digits {
    fn push(&mut self, digit: u8) {
        self.mantissa = self
            .mantissa
            .wrapping_mul(10)
            .wrapping_add(u64::from(digit));
        self.count += 1;
    }

    /// The number, when `whole` of the digits are before the point and it can be computed
    /// exactly: a mantissa of at most 15 digits is exact as a double, and so is ten to the
    /// power of at most 22, so their quotient is the one correctly rounded double (Clinger's
    /// fast path) — the same the standard parser gives. Leading zeros count as digits here,
    /// which only ever sends a number to the standard parser.
    fn exact(&self, whole: u32) -> Option<f64> {
        const POWERS: [f64; 16] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        ];
        if self.count > 15 {
            return None;
        }
        let scale = POWERS[(self.count - whole) as usize];
        Some(self.mantissa as f64 / scale)
    }
}

/// The length of the run of plain string text at the start of `bytes`: up to the first
/// quote, backslash or control character, looked for eight bytes at a time.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    /// High bit set in each byte of `w` that is zero (exact for the lowest such byte).
    fn zero_bytes(w: u64) -> u64 {
        w.wrapping_sub(ONES) & !w & HIGHS
    }
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(chunk);
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let special =
            zero_bytes(w ^ (ONES * b'"' as u64)) | zero_bytes(w ^ (ONES * b'\\' as u64)) | control;
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(bytes.len() - at)
}

/// The index of a field, trying `guess` first: writers put a kind's fields in the same
/// order on every line, so the next field is usually the next one in the schema, and one
/// comparison finds it.
fn field_index(kind: &Kind, name: &str, guess: usize) -> Option<usize> {
    match kind.fields.get_index(guess) {
        Some((key, _)) if same_short_text(key.as_bytes(), name.as_bytes()) => Some(guess),
        _ => kind.fields.keys().position(|k| k == name),
    }
}

#[cfg(test)]
mod tests;
