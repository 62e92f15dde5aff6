//! Comparing short texts in line. The fields a record line holds are mostly a few bytes long
//! (keys, names, labels, enum values); for those a call to `memcmp` costs more than the
//! comparison itself.

/// Whether two texts are equal, a word at a time.
pub(crate) fn same_short_text(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let tail = a.len() - a.len() % 8;
    let mut words = a.chunks_exact(8).zip(b.chunks_exact(8));
    words.all(|(x, y)| word(x) == word(y)) && a[tail..].iter().zip(&b[tail..]).all(|(x, y)| x == y)
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
    }
}
