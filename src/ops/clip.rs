//! The area two polygons share, to the precision of `f64`.
//!
//! Polygon clipping libraries snap coordinates to a grid to stay robust, which moves areas
//! by about 1e-8 of their size: enough to flip an IoU threshold test written to the third
//! decimal, and to differ from other tools. Only the shared *area* is needed here, and that
//! has an exact decomposition: with its rings oriented (outline counter-clockwise, holes
//! clockwise), a polygon is the signed sum of the triangles each edge makes with a fixed
//! point, so the area two polygons share is the signed sum of the areas two such triangles
//! share, and two triangles are clipped exactly by one another (both are convex).
//! That is `n × m` triangle clips for polygons of `n` and `m` edges, which suits the tens
//! to hundreds of points an annotated polygon has.

/// A point.
pub(crate) type P = (f64, f64);

/// Twice the signed area of a ring (positive when counter-clockwise, `y` upwards).
fn signed_area2(ring: &[P]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum()
}

fn cross(o: P, a: P, b: P) -> f64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

/// The triangles of a polygon's edges with its first point, each counter-clockwise, with
/// the sign it adds to the polygon (its rings oriented as an outline and its holes).
fn signed_triangles(rings: &[Vec<P>]) -> Vec<([P; 3], f64)> {
    let Some(&origin) = rings.first().and_then(|r| r.first()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, ring) in rings.iter().enumerate() {
        let want_ccw = i == 0;
        let reversed = (signed_area2(ring) > 0.0) != want_ccw;
        let n = ring.len();
        for k in 0..n {
            let (mut p, mut q) = (ring[k], ring[(k + 1) % n]);
            if reversed {
                std::mem::swap(&mut p, &mut q);
            }
            let turn = cross(origin, p, q);
            if turn > 0.0 {
                out.push(([origin, p, q], 1.0));
            } else if turn < 0.0 {
                out.push(([origin, q, p], -1.0));
            }
        }
    }
    out
}

/// The part of convex polygon `subject` on the left of the directed line `a → b`.
fn clip_half(subject: &[P], a: P, b: P, out: &mut Vec<P>) {
    out.clear();
    let n = subject.len();
    for i in 0..n {
        let (p, q) = (subject[i], subject[(i + 1) % n]);
        let (sp, sq) = (cross(a, b, p), cross(a, b, q));
        if sp >= 0.0 {
            out.push(p);
        }
        if (sp > 0.0 && sq < 0.0) || (sp < 0.0 && sq > 0.0) {
            let t = sp / (sp - sq);
            out.push((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)));
        }
    }
}

/// The area two counter-clockwise triangles share.
fn shared_by_triangles(t: &[P; 3], u: &[P; 3], work: &mut (Vec<P>, Vec<P>)) -> f64 {
    let (subject, scratch) = work;
    subject.clear();
    subject.extend_from_slice(t);
    for k in 0..3 {
        clip_half(subject, u[k], u[(k + 1) % 3], scratch);
        std::mem::swap(subject, scratch);
        if subject.len() < 3 {
            return 0.0;
        }
    }
    signed_area2(subject) / 2.0
}

fn bounds(t: &[P; 3]) -> (P, P) {
    let xs = [t[0].0, t[1].0, t[2].0];
    let ys = [t[0].1, t[1].1, t[2].1];
    let min = |v: [f64; 3]| v[0].min(v[1]).min(v[2]);
    let max = |v: [f64; 3]| v[0].max(v[1]).max(v[2]);
    ((min(xs), min(ys)), (max(xs), max(ys)))
}

/// The area two polygons (given as rings: the outline, then its holes) share. Meant for
/// valid polygons; of a ring that crosses itself it counts area by winding number.
pub(crate) fn shared_area(a: &[Vec<P>], b: &[Vec<P>]) -> f64 {
    let (ta, tb) = (signed_triangles(a), signed_triangles(b));
    let boxes: Vec<(P, P)> = tb.iter().map(|(t, _)| bounds(t)).collect();
    let mut work = (Vec::with_capacity(9), Vec::with_capacity(9));
    let mut total = 0.0;
    for (t, sign_t) in &ta {
        let (lo, hi) = bounds(t);
        for ((u, sign_u), (ulo, uhi)) in tb.iter().zip(&boxes) {
            if hi.0 <= ulo.0 || uhi.0 <= lo.0 || hi.1 <= ulo.1 || uhi.1 <= lo.1 {
                continue;
            }
            total += sign_t * sign_u * shared_by_triangles(t, u, &mut work);
        }
    }
    total.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, s: f64) -> Vec<P> {
        vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
    }

    #[test]
    fn squares_share_their_overlap_whatever_the_orientation() {
        let a = vec![square(0.0, 0.0, 10.0)];
        let mut b = vec![square(5.0, 5.0, 10.0)];
        assert!((shared_area(&a, &b) - 25.0).abs() < 1e-12);
        b[0].reverse();
        assert!((shared_area(&a, &b) - 25.0).abs() < 1e-12);
    }

    #[test]
    fn a_hole_is_not_shared() {
        let a = vec![square(0.0, 0.0, 10.0), square(2.0, 2.0, 2.0)];
        let b = vec![square(0.0, 0.0, 10.0)];
        assert!((shared_area(&a, &b) - 96.0).abs() < 1e-12);
        assert!((shared_area(&a, &a) - 96.0).abs() < 1e-12);
    }

    #[test]
    fn apart_or_touching_polygons_share_nothing() {
        let a = vec![square(0.0, 0.0, 1.0)];
        assert_eq!(shared_area(&a, &[square(1.0, 0.0, 1.0)]), 0.0);
        assert_eq!(shared_area(&a, &[square(5.0, 5.0, 1.0)]), 0.0);
    }
}
