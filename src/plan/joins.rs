//! Choosing how a loop or quantifier finds its candidates: the join planner.
//!
//! A binding over a kind's records is a join with the variables already bound. Among the
//! conjuncts that must hold for a candidate to count, an equality between one of its scalar
//! fields (or its id) and an expression over bound variables makes a hash join; a time
//! relation with a bound record (and a constant tolerance) makes an interval join over
//! records sorted by start. Both together make one index: hashed by the key, each bucket
//! sorted by start. A binding with neither scans.

use super::IndexKey;
use crate::check::ir::{Expr, VarId};
use crate::ops::Relation;
use crate::schema::{Kind, Type};

/// The join a binding can use, before its expressions are lowered.
#[derive(Debug, Default)]
pub(super) struct JoinChoice<'e> {
    /// Hash on this key of the candidate, looked up with this expression; and the equality
    /// it came from, which the index makes true of every candidate it gives.
    pub key: Option<(IndexKey, &'e Expr, &'e Expr)>,
    /// Sort by start and look in the window of this relation with a bound record.
    pub window: Option<(Relation, VarId, Option<f64>)>,
    /// Sort by the left edge of the candidate's shape field, and look among the shapes whose
    /// horizontal extent meets the bound record's shape (a spatial join: an overlap score
    /// of the two at a positive threshold).
    pub region: Option<(crate::schema::FieldId, VarId, crate::schema::FieldId)>,
}

impl JoinChoice<'_> {
    pub fn is_scan(&self) -> bool {
        self.key.is_none() && self.window.is_none() && self.region.is_none()
    }
}

/// Picks the join for candidate variable `x` of `kind` among `conjuncts`. `bound` says which
/// other variables have values when the candidates are looked up; `is_interval` which
/// variables are records with a time span.
pub(super) fn choose<'e>(
    x: VarId,
    kind: &Kind,
    conjuncts: &[&'e Expr],
    bound: &dyn Fn(VarId) -> bool,
    is_interval: &dyn Fn(VarId) -> bool,
) -> JoinChoice<'e> {
    let mut choice = JoinChoice::default();
    for conjunct in conjuncts {
        match conjunct {
            Expr::Compare(crate::ops::CompareOp::Eq, a, b) if choice.key.is_none() => {
                choice.key = equality_key(x, kind, a, b, bound)
                    .or_else(|| equality_key(x, kind, b, a, bound))
                    .map(|(key, probe)| (key, probe, *conjunct));
            }
            Expr::Relation {
                rel,
                left,
                right,
                tolerance,
            } if choice.window.is_none() && kind.interval.is_some() => {
                let (other, rel) = if *left == x {
                    (*right, *rel)
                } else if *right == x {
                    (*left, inverse(*rel))
                } else {
                    continue;
                };
                let tolerance = match tolerance.as_deref() {
                    None => None,
                    Some(Expr::Const(crate::data::Value::Num(d))) => Some(*d),
                    Some(_) => continue,
                };
                if other != x && bound(other) && is_interval(other) {
                    choice.window = Some((rel, other, tolerance));
                }
            }
            Expr::Compare(op, a, b) if choice.region.is_none() => {
                choice.region = overlap_at_least(x, kind, *op, a, b, bound);
            }
            _ => {}
        }
    }
    choice
}

/// `iou(x.f, o.g) >= c` (or `ioa`, `ios`; either way round, `>` too) with `c` a positive
/// constant and `o` a bound record: only shapes that meet can reach it, so candidates are
/// those whose horizontal extent meets `o.g`'s. Gives (`f`, `o`, `g`).
fn overlap_at_least(
    x: VarId,
    kind: &Kind,
    op: crate::ops::CompareOp,
    a: &Expr,
    b: &Expr,
    bound: &dyn Fn(VarId) -> bool,
) -> Option<(crate::schema::FieldId, VarId, crate::schema::FieldId)> {
    use crate::ops::CompareOp::{Ge, Gt, Le, Lt};
    let (score, threshold) = match op {
        Ge | Gt => (a, b),
        Le | Lt => (b, a),
        _ => return None,
    };
    let Expr::Const(crate::data::Value::Num(c)) = threshold else {
        return None;
    };
    let strict = matches!(op, Gt | Lt);
    let reaches = |x: f64| if strict { x > *c } else { x >= *c };
    // `(iou(…) ?? 0) >= c`: a default that does not reach the threshold lets nothing more in.
    let score = match score {
        Expr::Default(score, default) => match default.as_ref() {
            Expr::Const(crate::data::Value::Num(d)) if !reaches(*d) => score.as_ref(),
            _ => return None,
        },
        score => score,
    };
    // Shapes that do not meet score 0, which must not reach the threshold.
    let positive = !reaches(0.0);
    let Expr::Call(f, args) = score else {
        return None;
    };
    if !positive || !matches!(f.name(), "iou" | "ioa" | "ios") || args.len() != 2 {
        return None;
    }
    let field = |e: &Expr| match e {
        Expr::Field(v, f) => Some((*v, *f)),
        _ => None,
    };
    let ((v1, f1), (v2, f2)) = (field(&args[0])?, field(&args[1])?);
    let shape = |f: crate::schema::FieldId| matches!(kind.field(f).ty, Type::Shape(_));
    match (v1 == x, v2 == x) {
        (true, false) if shape(f1) && bound(v2) => Some((f1, v2, f2)),
        (false, true) if shape(f2) && bound(v1) => Some((f2, v1, f1)),
        _ => None,
    }
}

/// `candidate.field == probe`, where the probe reads bound variables only (and at least one:
/// a constant is a filter, not a join).
fn equality_key<'e>(
    x: VarId,
    kind: &Kind,
    candidate: &Expr,
    probe: &'e Expr,
    bound: &dyn Fn(VarId) -> bool,
) -> Option<(IndexKey, &'e Expr)> {
    let key = match candidate {
        Expr::Field(v, f) if *v == x && is_scalar(&kind.field(*f).ty) => IndexKey::Field(*f),
        Expr::RecordId(v) if *v == x => IndexKey::Id,
        _ => return None,
    };
    let mut read = Vec::new();
    crate::check::ir::vars_read(probe, &mut read);
    let joins = !read.is_empty() && read.iter().all(|v| *v != x && bound(*v));
    joins.then_some((key, probe))
}

fn is_scalar(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Str
            | Type::Num
            | Type::Bool
            | Type::Time
            | Type::Duration
            | Type::Enum(_)
            | Type::Ref(_)
    )
}

/// The relation with its sides swapped: `a rel b` holds exactly when `b inverse(rel) a`.
pub(super) fn inverse(rel: Relation) -> Relation {
    use Relation::*;
    match rel {
        Before => After,
        After => Before,
        Meets => MetBy,
        MetBy => Meets,
        Overlaps => OverlappedBy,
        OverlappedBy => Overlaps,
        Starts => StartedBy,
        StartedBy => Starts,
        During => Contains,
        Contains => During,
        Finishes => FinishedBy,
        FinishedBy => Finishes,
        Equals => Equals,
        Intersects => Intersects,
    }
}
