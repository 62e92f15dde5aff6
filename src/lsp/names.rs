//! References, rename and workspace symbols over every open document: a name is looked up in
//! the document asked about, and its uses gathered from every open document that reads the
//! file declaring it (its own pack, and other rule files importing the same schema).

use super::analysis::{Analysis, Place, Target};
use super::Lines;
use lsp_types as lsp;
use std::collections::HashMap;

/// The open documents.
pub(super) type Documents = HashMap<lsp::Url, Analysis>;

/// The target at `offset` of `uri` and every place it occurs in the open documents'
/// packs, each place once.
pub(super) fn occurrences(
    documents: &Documents,
    uri: &lsp::Url,
    offset: usize,
) -> Option<(Target, Vec<Place>)> {
    let analysis = documents.get(uri)?;
    let target = analysis.target_at(offset)?;
    let declared = analysis.definition(offset).map(|p| p.path);
    let mut places: Vec<Place> = Vec::new();
    for (other, a) in documents {
        let shares = other == uri
            || declared.as_ref().is_some_and(|path| {
                a.imports(path) || other.to_file_path().is_ok_and(|p| &p == path)
            });
        if !shares {
            continue;
        }
        for place in a.occurrences(&target) {
            if !places
                .iter()
                .any(|p| p.path == place.path && p.range == place.range)
            {
                places.push(place);
            }
        }
    }
    places.sort_by(|a, b| (&a.path, a.range.start).cmp(&(&b.path, b.range.start)));
    Some((target, places))
}

/// A place as the protocol's location.
pub(super) fn location(place: &Place) -> Option<lsp::Location> {
    Some(lsp::Location {
        uri: lsp::Url::from_file_path(&place.path).ok()?,
        range: Lines::new(&place.text).range(&place.range),
    })
}

/// The edits that rename what is at `offset` of `uri` to `name`, in every file it occurs in.
pub(super) fn rename(
    documents: &Documents,
    uri: &lsp::Url,
    offset: usize,
    name: &str,
) -> Result<lsp::WorkspaceEdit, String> {
    let (target, places) = occurrences(documents, uri, offset).ok_or(
        "nothing to rename here: put the cursor on a kind, field, constant, function or rule",
    )?;
    documents[uri].rename(&target, name)?;
    let mut changes: HashMap<lsp::Url, Vec<lsp::TextEdit>> = HashMap::new();
    for place in &places {
        let Some(location) = location(place) else {
            continue;
        };
        changes
            .entry(location.uri)
            .or_default()
            .push(lsp::TextEdit {
                range: location.range,
                new_text: name.to_string(),
            });
    }
    Ok(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    })
}

/// The declarations of every open document's pack whose names contain `query`.
#[allow(deprecated)] // `SymbolInformation::deprecated` has to be written to build one
pub(super) fn workspace_symbols(documents: &Documents, query: &str) -> Vec<lsp::SymbolInformation> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for analysis in documents.values() {
        for (name, what, place) in analysis.declarations(query) {
            if !seen.insert((place.path.clone(), place.range.start)) {
                continue;
            }
            let Some(location) = location(&place) else {
                continue;
            };
            out.push(lsp::SymbolInformation {
                name,
                kind: match what {
                    "kind" => lsp::SymbolKind::STRUCT,
                    "field" => lsp::SymbolKind::FIELD,
                    "const" => lsp::SymbolKind::CONSTANT,
                    "function" => lsp::SymbolKind::FUNCTION,
                    "rule" => lsp::SymbolKind::EVENT,
                    _ => lsp::SymbolKind::METHOD,
                },
                tags: None,
                deprecated: None,
                location,
                container_name: Some(what.to_string()),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}
