//! Quick fixes for a document's problems: the name a did-you-mean suggests in place of the
//! misspelling, and a default for an optional value used as if always present.

use super::{binding_kind, strip_optional, Analysis, Problem};
use crate::syntax::ast::TypeExpr;
use std::ops::Range;

/// An edit that resolves one problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// What the editor shows (`Change to `speaker``).
    pub title: String,
    /// The problem it resolves (its index in [`Analysis::problems`]).
    pub problem: usize,
    /// The text replaced.
    pub range: Range<usize>,
    /// What replaces it.
    pub replacement: String,
}

impl Analysis {
    /// The fixes for the problems that overlap `range` (touching counts: a cursor on a
    /// problem's edge asks for it).
    pub fn fixes(&self, range: Range<usize>) -> Vec<Fix> {
        (self.problems.iter().enumerate())
            .filter(|(_, p)| p.range.start <= range.end && range.start <= p.range.end)
            .filter_map(|(i, p)| self.fix(i, p))
            .collect()
    }

    fn fix(&self, index: usize, problem: &Problem) -> Option<Fix> {
        let text = self.text.get(problem.range.clone())?;
        let help = problem.message.split_once("\nhelp: ").map(|(_, h)| h)?;
        if let Some(name) = crate::suggest::suggested(help) {
            return Some(Fix {
                title: format!("Change `{text}` to `{name}`"),
                problem: index,
                range: problem.range.clone(),
                replacement: name.to_string(),
            });
        }
        if problem.code.as_deref() == Some("cord::check::optional-unchecked") {
            let default = self.default_for(problem.range.start, text)?;
            let replacement = format!("({text} ?? {default})");
            return Some(Fix {
                title: format!("Give `{text}` a default: `{text} ?? {default}`"),
                problem: index,
                range: problem.range.clone(),
                replacement,
            });
        }
        None
    }

    /// A neutral default for `binding.field` (written at `at`), by the field's type: `""`,
    /// `0`, `false`, `0s`, `[]`, or an enum's first value.
    fn default_for(&self, at: usize, expr: &str) -> Option<String> {
        let (binding, field) = expr.split_once('.')?;
        let before = &self.text[..at];
        let tokens = self.tokens.iter().take_while(|t| t.range.end <= at);
        let (kind, _) = binding_kind(before, tokens, binding);
        let kind = kind?;
        let (_, k) = self.kinds().find(|(_, k)| k.name.node == kind)?;
        let f = k.fields.iter().find(|f| f.name.node == field)?;
        Some(match strip_optional(&f.ty.node) {
            TypeExpr::Enum(values) => values.first()?.node.clone(),
            TypeExpr::Named(name) => match name.node.as_str() {
                "str" => "\"\"".into(),
                "num" => "0".into(),
                "bool" => "false".into(),
                "time" | "duration" => "0s".into(),
                _ => return None,
            },
            TypeExpr::List(_) => "[]".into(),
            _ => return None,
        })
    }
}
