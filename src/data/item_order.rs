//! The order items come out in: their names in natural order, so `task 2` comes before
//! `task 10`. It depends on the names alone, never on how the input was laid out (one file
//! or one per modality, grouped or shuffled), which is what makes a run's output the same
//! whatever the layout; and input that is already in this order can be merged and its
//! findings streamed as it is read.

use std::cmp::Ordering;

/// Compares item names in natural order: runs of digits by their value, everything else
/// byte by byte; names equal that way (`a01`, `a1`) fall back to byte order, so the order
/// is total and agrees with equality.
pub fn compare_items(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let (m, rest_x) = split_digits(x);
                let (n, rest_y) = split_digits(y);
                match compare_numerals(m, n) {
                    Ordering::Equal => (x, y) = (rest_x, rest_y),
                    unequal => return unequal,
                }
            }
            (Some(p), Some(q)) => match p.cmp(q) {
                Ordering::Equal => (x, y) = (&x[1..], &y[1..]),
                unequal => return unequal,
            },
        }
    }
}

/// The leading run of digits of `bytes`, and what follows it.
fn split_digits(bytes: &[u8]) -> (&[u8], &[u8]) {
    let end = bytes
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(bytes.len());
    bytes.split_at(end)
}

/// Compares two runs of digits by value, whatever their length or leading zeros.
fn compare_numerals(m: &[u8], n: &[u8]) -> Ordering {
    let (m, n) = (significant(m), significant(n));
    m.len().cmp(&n.len()).then_with(|| m.cmp(n))
}

/// A run of digits without its leading zeros.
fn significant(digits: &[u8]) -> &[u8] {
    let start = (digits.iter().position(|&b| b != b'0')).unwrap_or(digits.len());
    &digits[start..]
}

#[cfg(test)]
mod tests {
    use super::compare_items;
    use std::cmp::Ordering;

    #[test]
    fn numbers_in_names_compare_by_value() {
        let mut names = vec!["task 10", "task 2", "task 1", "clip_000010", "clip_000002"];
        names.sort_by(|a, b| compare_items(a, b));
        assert_eq!(
            names,
            ["clip_000002", "clip_000010", "task 1", "task 2", "task 10"]
        );
    }

    #[test]
    fn names_equal_in_value_are_still_ordered() {
        assert_eq!(compare_items("a01", "a1"), "a01".cmp("a1"));
        assert_eq!(compare_items("a1", "a1"), Ordering::Equal);
        assert_eq!(compare_items("a", "a1"), Ordering::Less);
        assert_eq!(compare_items("9", "10"), Ordering::Less);
        let huge = "1".repeat(60);
        assert_eq!(compare_items(&huge, "2"), Ordering::Greater);
    }
}
