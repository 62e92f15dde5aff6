//! Comparing short texts in line. The fields a record line holds are mostly a few bytes long
//! (keys, names, labels, enum values); for those a call to `memcmp` costs more than the
//! comparison itself.

/// Whether two texts are equal, a word at a time. The tail is compared as a last word that
/// overlaps the one before, and texts shorter than a word (most names and ids) as two
/// overlapping half words, so no byte is compared on its own but in the shortest texts.
pub(crate) fn same_short_text(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => half(&a[..4]) == half(&b[..4]) && half(&a[n - 4..]) == half(&b[n - 4..]),
        _ => {
            let mut words = a.chunks_exact(8).zip(b.chunks_exact(8));
            words.all(|(x, y)| word(x) == word(y))
                && (n % 8 == 0 || word(&a[n - 8..]) == word(&b[n - 8..]))
        }
    }
}

/// Four bytes as a word, in memory order.
fn half(chunk: &[u8]) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(chunk);
    u32::from_ne_bytes(w)
}

/// Texts up to this long are compared in line; longer ones by the library.
const IN_LINE: usize = 32;

/// Whether two texts are equal. Texts that share one allocation are equal at once; short
/// ones are compared in line.
#[inline]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if std::ptr::eq(a.as_ptr(), b.as_ptr()) {
        return true;
    }
    match a.len() <= IN_LINE {
        true => same_short_text(a.as_bytes(), b.as_bytes()),
        false => a == b,
    }
}

/// The order of two texts (byte-wise, as `str`'s), short ones compared in line a word at a
/// time.
#[inline]
pub(crate) fn text_order(a: &str, b: &str) -> std::cmp::Ordering {
    if a.len() > IN_LINE || b.len() > IN_LINE {
        return a.cmp(b);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let shorter = a.len().min(b.len());
    let whole = shorter - shorter % 8;
    for (x, y) in a[..whole].chunks_exact(8).zip(b[..whole].chunks_exact(8)) {
        let (x, y) = (big_endian_word(x), big_endian_word(y));
        if x != y {
            return x.cmp(&y);
        }
    }
    let (x, y) = (&a[whole..shorter], &b[whole..shorter]);
    last_word(x).cmp(&last_word(y)).then(a.len().cmp(&b.len()))
}

/// Up to eight bytes as a word whose order is theirs (zeros after them): two such words
/// of the same number of bytes compare as the bytes do, without a call to `memcmp`.
fn last_word(bytes: &[u8]) -> u64 {
    let packed = bytes.iter().fold(0u64, |w, &b| (w << 8) | u64::from(b));
    match bytes.len() {
        0 => 0,
        n => packed << (8 * (8 - n)),
    }
}

/// Eight bytes as a word whose order is theirs.
fn big_endian_word(chunk: &[u8]) -> u64 {
    u64::from_be_bytes(eight(chunk))
}

/// Eight bytes as a word, in memory order.
fn word(chunk: &[u8]) -> u64 {
    u64::from_ne_bytes(eight(chunk))
}

/// A chunk of exactly eight bytes as an array.
fn eight(chunk: &[u8]) -> [u8; 8] {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::proptest_config(4000))]

        /// It agrees with `str`'s own equality, on texts that often share a prefix.
        #[test]
        fn agree_with_str(prefix in "[a-c]{0,12}", a in "[a-c\\x{e9}\\x{1f600}]{0,20}", b in "[a-c\\x{e9}\\x{1f600}]{0,20}") {
            let (a, b) = (format!("{prefix}{a}"), format!("{prefix}{b}"));
            prop_assert_eq!(same_short_text(a.as_bytes(), b.as_bytes()), a == b);
            prop_assert!(same_short_text(a.as_bytes(), a.as_bytes()));
            prop_assert_eq!(same_text(&a, &b), a == b);
            prop_assert!(same_text(&a, &a.clone()));
            prop_assert_eq!(text_order(&a, &b), a.cmp(&b));
        }

        /// Texts of the same length that differ in one byte, anywhere, are told apart.
        #[test]
        fn one_byte_apart_is_different(a in "[a-z0-9_]{1,40}", at in 0usize..40, by in 1u8..20) {
            let mut b = a.clone().into_bytes();
            let at = at % b.len();
            b[at] = b'0' + (b[at] + by) % 64;
            let b = String::from_utf8(b).unwrap_or_default();
            prop_assert_eq!(a.len(), b.len());
            prop_assert_eq!(same_short_text(a.as_bytes(), b.as_bytes()), a == b);
            prop_assert_eq!(text_order(&a, &b), a.cmp(&b));
        }
    }
}
