//! Did-you-mean suggestions for misspelled names.

/// The candidate closest to `name`, if it is close enough to be a likely misspelling.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&name.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// The name a [`did_you_mean`] help suggests, read back from the help (an editor's quick
/// fix puts it in place of the misspelling).
pub fn suggested(help: &str) -> Option<&str> {
    let (_, rest) = help.split_once("did you mean `")?;
    let (name, _) = rest.split_once("`?")?;
    Some(name)
}

/// "did you mean `x`?" when a candidate is close, else a list of what exists.
pub fn did_you_mean<'a>(
    name: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<String> {
    if let Some(best) = closest(name, candidates.clone()) {
        return Some(format!("did you mean `{best}`?"));
    }
    let all: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
    match all.len() {
        0 => None,
        n if n <= 12 => Some(format!("{what}: {}", all.join(", "))),
        _ => Some(format!("{what}: {}, …", all[..12].join(", "))),
    }
}
