//! The best `k` of many scored items, kept without a heap: items at or above
//! the current floor are appended, and every `k` of them the buffer is cut
//! back to its best `k` (a selection, linear on average). Scoring every vector
//! of a collection offers thousands of items for a few dozen places; a binary
//! heap paid a sift for each better one.

use std::cmp::Ordering;

/// The best `k` (score, item) pairs offered: highest score first, ties to the
/// lower item, whatever order they came in.
pub(crate) struct TopK {
    k: usize,
    items: Vec<(f32, usize)>,
    /// The k-th best score at the last cut: nothing below it can enter.
    floor: f32,
}

impl TopK {
    pub(crate) fn new(k: usize) -> TopK {
        TopK {
            k,
            items: Vec::with_capacity(k.saturating_mul(2).min(1 << 16)),
            floor: f32::NEG_INFINITY,
        }
    }

    #[inline]
    pub(crate) fn offer(&mut self, score: f32, item: usize) {
        if self.k == 0 || score < self.floor {
            return;
        }
        self.items.push((score, item));
        if self.items.len() >= self.k.saturating_mul(2) {
            self.cut();
        }
    }

    /// Forgets everything offered.
    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.floor = f32::NEG_INFINITY;
    }

    /// The best `k`, best first.
    pub(crate) fn into_sorted(mut self) -> Vec<(f32, usize)> {
        self.items.sort_unstable_by(best_first);
        self.items.truncate(self.k);
        self.items
    }

    fn cut(&mut self) {
        let k = self.k;
        debug_assert!(k > 0 && self.items.len() > k);
        self.items.select_nth_unstable_by(k - 1, best_first);
        self.items.truncate(k);
        self.floor = self.items[k - 1].0;
    }
}

/// Higher score first; ties to the lower item.
pub(crate) fn best_first(a: &(f32, usize), b: &(f32, usize)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same as sorting everything, for sizes around the cut and with
    /// ties, whatever the order of arrival.
    #[test]
    fn it_keeps_what_a_full_sort_keeps() {
        for n in [0, 1, 7, 40, 41, 80, 81, 1000] {
            for k in [0, 1, 5, 40, 2000] {
                // Scores with many ties, offered out of order.
                let offered: Vec<(f32, usize)> = (0..n)
                    .map(|i| (((i * 7919) % 13) as f32 / 4.0, (i * 31) % n.max(1)))
                    .collect();
                let mut top = TopK::new(k);
                for &(score, item) in &offered {
                    top.offer(score, item);
                }
                let mut expected = offered.clone();
                expected.sort_by(best_first);
                expected.truncate(k);
                assert_eq!(top.into_sorted(), expected, "n {n} k {k}");
            }
        }
    }
}
