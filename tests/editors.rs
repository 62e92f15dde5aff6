//! The editor package under `editors/`: its manifests are valid JSON that point at files that
//! exist, and the TextMate grammar knows every keyword and relation the rule packs use.

use concordant::syntax::{tokenize, TokenKind};
use std::path::Path;

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

#[test]
fn the_vscode_extension_is_complete_and_its_grammar_knows_the_keywords() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let manifest = json(&root.join("package.json"));
    let contributes = &manifest["contributes"];
    assert_eq!(contributes["languages"][0]["extensions"][0], ".cord");
    let grammar_path = contributes["grammars"][0]["path"]
        .as_str()
        .expect("a grammar");
    let config = contributes["languages"][0]["configuration"]
        .as_str()
        .expect("a configuration");
    json(&root.join(config));
    // `main` is the bundle `npm run build` makes from extension.js (tests/vscode/run.sh
    // builds and packages it).
    let main = manifest["main"].as_str().expect("a main");
    let build = manifest["scripts"]["build"]
        .as_str()
        .expect("a build script");
    assert!(
        build.starts_with("esbuild extension.js --bundle"),
        "{build}"
    );
    assert!(
        build.contains(&format!("--outfile={}", main.trim_start_matches("./"))),
        "{build}"
    );
    assert!(root.join("extension.js").exists() && root.join("server.js").exists());
    assert!(manifest["repository"]["url"].is_string() && root.join("LICENSE").exists());
    let ignored = std::fs::read_to_string(root.join(".vscodeignore")).expect(".vscodeignore");
    assert!(ignored.lines().any(|l| l == "node_modules/**"));
    let grammar = json(&root.join(grammar_path));
    assert_eq!(
        grammar["scopeName"],
        contributes["grammars"][0]["scopeName"]
    );
    let text = grammar.to_string();

    let mut words = std::collections::BTreeSet::new();
    for entry in
        glob::glob(&format!("{}/rules/**/*.cord", env!("CARGO_MANIFEST_DIR"))).expect("a glob")
    {
        let source = std::fs::read_to_string(entry.expect("a path")).expect("a rule file");
        for token in tokenize(&source) {
            if matches!(token.kind, Some(TokenKind::Keyword | TokenKind::Relation)) {
                words.insert(source[token.range].to_string());
            }
        }
    }
    assert!(words.len() > 20, "{words:?}");
    for word in words {
        let alternatives = ["|", "(", "\\\\b"];
        let listed = alternatives.iter().any(|before| {
            alternatives.iter().any(|after| {
                text.contains(&format!("{before}{word}{after}"))
                    || text.contains(&format!("{before}{word})"))
            })
        });
        assert!(listed, "the grammar does not highlight `{word}`");
    }
}
