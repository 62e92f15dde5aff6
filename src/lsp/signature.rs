//! Signature help: which built-in's call the cursor is in, and which argument.

/// A built-in's signature while its call is typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// `tiou(a, b)`.
    pub label: String,
    /// What it gives, and an example.
    pub doc: String,
    /// Its parameters as the label writes them.
    pub parameters: Vec<String>,
    /// The argument being typed, from 0.
    pub active: usize,
}

/// The name before the innermost `(` still open at the end of `before`, and how many commas
/// of that call precede the end (strings and nested brackets skipped).
pub(super) fn enclosing_call(before: &str) -> Option<(String, usize)> {
    let (mut depth, mut commas, mut in_string) = (0usize, 0usize, false);
    let bytes = before.as_bytes();
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => in_string = !in_string,
            _ if in_string => {}
            b')' | b']' | b'}' => depth += 1,
            b'[' | b'{' if depth > 0 => depth -= 1,
            b'[' | b'{' => return None,
            b'(' if depth > 0 => depth -= 1,
            b'(' => {
                let name_end = before[..i].trim_end().len();
                let start = (before[..name_end].char_indices().rev())
                    .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                    .map_or(0, |(i, c)| i + c.len_utf8());
                let name = &before[start..name_end];
                return (!name.is_empty()).then(|| (name.to_string(), commas));
            }
            b',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    None
}
