//! A map from item slots to what each item gave, in output order. Items mostly complete in
//! order, so most slots come after every slot before them: those are appended to a vector
//! with one comparison of names, and only the few that come late go to a search tree.
//! Comparing names in natural order costs far more than comparing numbers, and a search tree
//! compares a key a dozen or more times to place it.

use super::Slot;
use std::collections::BTreeMap;

/// Values by slot, iterated in slot order.
#[derive(Debug)]
pub struct SlotMap<V> {
    /// Slots in order, each after every slot in `late`.
    ordered: Vec<(Slot, V)>,
    /// Slots that came after a greater one, none of them in `ordered`.
    late: BTreeMap<Slot, V>,
}

impl<V> Default for SlotMap<V> {
    fn default() -> Self {
        SlotMap {
            ordered: Vec::new(),
            late: BTreeMap::new(),
        }
    }
}

impl<V> SlotMap<V> {
    /// Sets `slot`'s value, replacing the one it had.
    pub fn insert(&mut self, slot: Slot, value: V) {
        let Some((last, _)) = self.ordered.last() else {
            self.ordered.push((slot, value));
            return;
        };
        match slot.cmp(last) {
            std::cmp::Ordering::Greater => self.ordered.push((slot, value)),
            _ => match self.ordered.binary_search_by(|(s, _)| s.cmp(&slot)) {
                Ok(i) => self.ordered[i].1 = value,
                Err(_) => {
                    self.late.insert(slot, value);
                }
            },
        }
    }

    /// Whether `slot` has a value.
    pub fn contains(&self, slot: &Slot) -> bool {
        match self.ordered.last() {
            Some((last, _)) if slot <= last => {
                self.ordered.binary_search_by(|(s, _)| s.cmp(slot)).is_ok()
                    || self.late.contains_key(slot)
            }
            _ => false,
        }
    }

    /// Takes out the slots up to `through`, included.
    pub fn split_through(&mut self, through: &Slot) -> SlotMap<V> {
        let cut = self.ordered.partition_point(|(s, _)| s <= through);
        let after = self.ordered.split_off(cut);
        let ordered = std::mem::replace(&mut self.ordered, after);
        let mut late = std::mem::take(&mut self.late);
        self.late = late.split_off(through);
        if let Some((slot, value)) = self.late.remove_entry(through) {
            late.insert(slot, value);
        }
        SlotMap { ordered, late }
    }

    /// The values, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.ordered
            .iter()
            .map(|(_, v)| v)
            .chain(self.late.values())
    }

    /// The values in slot order.
    pub fn into_values(self) -> impl Iterator<Item = V> {
        let mut ordered = self.ordered.into_iter().peekable();
        let mut late = self.late.into_iter().peekable();
        std::iter::from_fn(move || {
            let late_first = match (ordered.peek(), late.peek()) {
                (Some((a, _)), Some((b, _))) => b < a,
                (None, Some(_)) => true,
                _ => false,
            };
            match late_first {
                true => late.next(),
                false => ordered.next(),
            }
            .map(|(_, v)| v)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn slot(name: &str) -> Slot {
        Slot::Item(Arc::from(name))
    }

    /// Any order of inserts, replacements and splits gives what a search tree gives.
    #[test]
    fn it_holds_what_a_search_tree_holds() {
        let mut seed = 11u64;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for round in 0..200 {
            let (mut map, mut tree) = (SlotMap::default(), BTreeMap::new());
            for step in 0..40 {
                // Mostly in order, some late, some again.
                let n = match next(4) {
                    0 => next(40),
                    _ => step + round % 3,
                };
                let s = slot(&format!("item {n}"));
                match next(10) {
                    0 => {
                        let through = slot(&format!("item {}", next(40)));
                        let (taken, kept) = (map.split_through(&through), tree.split_off(&through));
                        let mut kept = kept;
                        let mut taken_tree = std::mem::take(&mut tree);
                        if let Some((k, v)) = kept.remove_entry(&through) {
                            taken_tree.insert(k, v);
                        }
                        tree = kept;
                        let taken: Vec<u64> = taken.into_values().collect();
                        assert_eq!(taken, taken_tree.into_values().collect::<Vec<_>>());
                    }
                    _ => {
                        assert_eq!(map.contains(&s), tree.contains_key(&s));
                        map.insert(s.clone(), step);
                        tree.insert(s, step);
                    }
                }
            }
            let mut values: Vec<u64> = map.values().copied().collect();
            let mut expected: Vec<u64> = tree.values().copied().collect();
            values.sort_unstable();
            expected.sort_unstable();
            assert_eq!(values, expected);
            assert_eq!(
                map.into_values().collect::<Vec<_>>(),
                tree.into_values().collect::<Vec<_>>()
            );
        }
    }
}
