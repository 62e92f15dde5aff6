//! The language's words, in one list: what the lexer colours as keywords, what the language
//! server completes, and what the grammar reserves. `tests/keywords.rs` reads
//! `grammar/cord.pest` and fails when a word it spells is missing here, or the other way
//! round. (The relations are `ops::Relation::ALL`.)

/// How a word is a keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Reserved by the grammar (`keyword` in `grammar/cord.pest`): never a name a rule binds.
    Reserved,
    /// A rule's severity, after its id.
    Severity,
    /// A keyword only where the grammar expects it (a field may be called `item`).
    Contextual,
}

/// Every keyword of the language.
pub const KEYWORDS: [(&str, Class); 38] = [
    ("import", Class::Reserved),
    ("schema", Class::Reserved),
    ("kind", Class::Reserved),
    ("const", Class::Reserved),
    ("fn", Class::Reserved),
    ("let", Class::Reserved),
    ("rule", Class::Reserved),
    ("per", Class::Reserved),
    ("for", Class::Reserved),
    ("in", Class::Reserved),
    ("group", Class::Reserved),
    ("by", Class::Reserved),
    ("where", Class::Reserved),
    ("require", Class::Reserved),
    ("forbid", Class::Reserved),
    ("message", Class::Reserved),
    ("test", Class::Reserved),
    ("given", Class::Reserved),
    ("expect", Class::Reserved),
    ("nothing", Class::Reserved),
    ("some", Class::Reserved),
    ("all", Class::Reserved),
    ("no", Class::Reserved),
    ("satisfy", Class::Reserved),
    ("and", Class::Reserved),
    ("or", Class::Reserved),
    ("not", Class::Reserved),
    ("within", Class::Reserved),
    ("count", Class::Reserved),
    ("on", Class::Reserved),
    ("true", Class::Reserved),
    ("false", Class::Reserved),
    ("error", Class::Severity),
    ("warning", Class::Severity),
    ("info", Class::Severity),
    ("item", Class::Contextual),
    ("dataset", Class::Contextual),
    ("against", Class::Contextual),
];

/// How `word` is a keyword, if it is one.
pub fn class(word: &str) -> Option<Class> {
    KEYWORDS.iter().find(|(w, _)| *w == word).map(|(_, c)| *c)
}
