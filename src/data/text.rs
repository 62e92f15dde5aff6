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

/// Eight bytes as a word, in memory order.
fn word(chunk: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    u64::from_ne_bytes(w)
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
        }
    }
}
