//! Which hypothesis speaker stands for which reference speaker: a one-to-one assignment
//! maximising the time they share.
//!
//! Only labels that share time can gain from being paired, so the labels are split into the
//! groups that share time with one another (connected through shared time) and each group is
//! assigned on its own: 2,000 speakers a side are many small problems, not one of 2,000².

use rustc_hash::FxHashMap;

/// For each of `rows` hypothesis labels, the reference label (of `columns`) it maps to, or
/// none, maximising the total of `shared` (time shared by a hypothesis and a reference label,
/// positive entries only). Also the work it took.
pub(crate) fn best_mapping(
    rows: usize,
    columns: usize,
    shared: &FxHashMap<(u32, u32), f64>,
) -> (Vec<Option<usize>>, u64) {
    let mut groups = Groups::new(rows + columns);
    for &(row, column) in shared.keys() {
        groups.join(row as usize, rows + column as usize);
    }
    let mut members: FxHashMap<usize, (Vec<usize>, Vec<usize>)> = FxHashMap::default();
    for row in 0..rows {
        members.entry(groups.find(row)).or_default().0.push(row);
    }
    for column in 0..columns {
        members
            .entry(groups.find(rows + column))
            .or_default()
            .1
            .push(column);
    }
    let mut mapping = vec![None; rows];
    let mut work = 0u64;
    for (group_rows, group_columns) in members.values() {
        if group_rows.is_empty() || group_columns.is_empty() {
            continue;
        }
        let weights: Vec<Vec<f64>> = (group_rows.iter())
            .map(|&r| {
                (group_columns.iter())
                    .map(|&c| shared.get(&(r as u32, c as u32)).copied().unwrap_or(0.0))
                    .collect()
            })
            .collect();
        let n = group_rows.len().max(group_columns.len()) as u64;
        work += n * n * n;
        for (k, column) in max_weight_assignment(&weights).into_iter().enumerate() {
            mapping[group_rows[k]] = column
                .filter(|&c| weights[k][c] > 0.0)
                .map(|c| group_columns[c]);
        }
    }
    (mapping, work)
}

/// Disjoint sets, by union of their roots (path halving).
struct Groups {
    parent: Vec<usize>,
}

impl Groups {
    fn new(n: usize) -> Self {
        Groups {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

/// A one-to-one assignment of rows to columns maximising the total weight (the Hungarian
/// method on a square matrix padded with zeros); rows left without a real column get `None`.
pub(super) fn max_weight_assignment(weights: &[Vec<f64>]) -> Vec<Option<usize>> {
    let rows = weights.len();
    let columns = weights.iter().map(Vec::len).max().unwrap_or(0);
    let n = rows.max(columns);
    if n == 0 {
        return Vec::new();
    }
    let big = weights.iter().flatten().fold(0.0f64, |m, &w| m.max(w));
    // Minimise cost = big - weight on the padded square matrix.
    let cost = |i: usize, j: usize| -> f64 {
        let w = weights
            .get(i)
            .and_then(|r| r.get(j))
            .copied()
            .unwrap_or(0.0);
        big - w
    };
    let mut u = vec![0.0f64; n + 1];
    let mut v = vec![0.0f64; n + 1];
    let mut p = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![f64::INFINITY; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = f64::INFINITY;
            let mut j1 = 0usize;
            for j in 1..=n {
                if used[j] {
                    continue;
                }
                let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                if cur < minv[j] {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if minv[j] < delta {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut assignment = vec![None; rows];
    for (j, &i) in p.iter().enumerate().skip(1) {
        if (1..=rows).contains(&i) && j <= columns {
            assignment[i - 1] = Some(j - 1);
        }
    }
    assignment
}
