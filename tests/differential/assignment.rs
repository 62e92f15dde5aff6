//! The optimal matching of the naive evaluator: every assignment tried.

/// The pairs of largest total (score + 1, so that every pair counts), found by trying every
/// subset of compatible pairs: small inputs only.
pub fn best_assignment(scored: &[(f64, usize, usize)]) -> Vec<(usize, usize, f64)> {
    fn search(
        scored: &[(f64, usize, usize)],
        at: usize,
        taken: &mut Vec<(usize, usize, f64)>,
        total: f64,
        best: &mut (f64, Vec<(usize, usize, f64)>),
    ) {
        if at == scored.len() {
            if total > best.0 {
                *best = (total, taken.clone());
            }
            return;
        }
        search(scored, at + 1, taken, total, best);
        let (s, i, j) = scored[at];
        if taken.iter().all(|&(a, b, _)| a != i && b != j) {
            taken.push((i, j, s));
            search(scored, at + 1, taken, total + 1.0 + s.max(0.0), best);
            taken.pop();
        }
    }
    let mut best = (f64::NEG_INFINITY, Vec::new());
    search(scored, 0, &mut Vec::new(), 0.0, &mut best);
    best.1
}
