//! The analysis on small documents: problems, hover, definition, completion, symbols.
use super::*;

fn analysis(text: &str) -> Analysis {
    Analysis::new(Path::new("/nonexistent/inline.cord"), text)
}

const RULES: &str = "schema {\n  /// A turn of speech.\n  kind speech { start: time, end: time, speaker: str, mood: enum { calm, loud } }\n}\n\n/// How long a turn may be.\nconst longest = 30s\n\n/// Turns are not too long.\nrule long-turn: warning {\n  for s in speech\n  require duration(s) <= longest\n  message \"{s.speaker}\"\n}\n\ntest \"a long turn\" {\n  given { speech s1 { start: 0s, end: 40s, speaker: \"a\", mood: calm } }\n  expect long-turn on s1\n}\n";

#[test]
fn a_misspelled_field_is_a_problem_with_help_at_its_range() {
    let text = RULES.replace("{s.speaker}", "{s.speakr}");
    let a = analysis(&text);
    let p = &a.problems()[0];
    assert_eq!(&text[p.range.clone()], "speakr");
    assert!(
        p.error && p.message.contains("did you mean `speaker`?"),
        "{p:?}"
    );
    assert_eq!(p.code.as_deref(), Some("cord::check::unknown-field"));
    assert!(analysis(RULES).problems().is_empty());
}

#[test]
fn a_binding_ranges_over_the_kind_of_its_last_binding_outside_comments() {
    let cases = [
        ("for s in speech\n  require s.", Some("speech"), false),
        ("for s in speech\n some s in face: s.", Some("face"), false),
        (
            "for g in group label by item\n require g.",
            Some("label"),
            true,
        ),
        (
            "for s in speech // s in face\n require s.",
            Some("speech"),
            false,
        ),
        ("for t in speech\n require s.", None, false),
        ("for s in \"x\" require s.", None, false),
    ];
    for (before, kind, group) in cases {
        let tokens = tokenize(before);
        let found = binding_kind(before, tokens.iter(), if group { "g" } else { "s" });
        assert_eq!((found.0.as_deref(), found.1), (kind, group), "{before}");
    }
}

#[test]
fn hover_definition_completion_and_symbols() {
    let a = analysis(RULES);
    let at = |needle: &str| RULES.find(needle).expect("in the text") + 1;
    assert!(a
        .hover(at("longest\n"))
        .is_some_and(|h| h.contains("30s") && h.contains("How long")));
    assert!(a
        .hover(at("speaker}"))
        .is_some_and(|h| h.contains("speech: str")));
    assert!(a
        .hover(at("duration(s)"))
        .is_some_and(|h| h.contains("x.end - x.start")));
    let def = a.definition(at("long-turn on")).expect("the rule");
    assert_eq!(&RULES[def.range], "long-turn");
    let def = a.definition(at("longest\n")).expect("the constant");
    assert_eq!(&RULES[def.range], "longest");
    let fields = a.completions(RULES.find("speaker}").expect("a field"));
    assert!(
        fields
            .iter()
            .any(|c| c.label == "mood" && c.what == "field"),
        "{fields:?}"
    );
    let words = a.completions(RULES.find("longest\n").expect("a name"));
    assert!(words
        .iter()
        .any(|c| c.label == "speech" && c.what == "kind"));
    assert!(words.iter().any(|c| c.label == "loud" && c.what == "value"));
    assert!(words
        .iter()
        .any(|c| c.label == "overlaps" && c.what == "relation"));
    let names: Vec<String> = a.symbols().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["speech", "longest", "long-turn", "a long turn"]);
    assert!(!a.highlights().is_empty());
}

#[test]
fn definition_follows_imports_to_their_file_and_kinds() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/sync.cord");
    let text = std::fs::read_to_string(&path).expect("the sync pack");
    let a = Analysis::new(&path, &text);
    assert!(a.problems().is_empty(), "{:?}", a.problems());
    let import = text.find("\"schema.cord\"").expect("an import") + 2;
    let file = a.definition(import).expect("the imported file");
    assert!(file.path.ends_with("rules/schema.cord"), "{:?}", file.path);
    assert_eq!(file.range, 0..0);
    let kind = text.find("in transcript").expect("a kind in use") + 4;
    let place = a.definition(kind).expect("the kind's declaration");
    assert!(place.path.ends_with("rules/schema.cord"));
    assert_eq!(&place.text[place.range.clone()], "transcript");
}

#[test]
fn broken_text_gives_problems_and_never_panics() {
    for text in [
        "",
        "rule",
        "rule x: {",
        "schema { kind }",
        "\"unterminated",
        "rule a: error { for x in \u{1F600} }",
    ] {
        let a = analysis(text);
        for offset in 0..=text.len() {
            if text.is_char_boundary(offset) {
                let _ = (a.hover(offset), a.definition(offset), a.completions(offset));
            }
        }
        let _ = (a.symbols(), a.highlights());
    }
}

#[test]
fn signature_help_names_the_function_and_the_argument_being_typed() {
    let text = RULES.replace(
        "require duration(s) <= longest",
        "require tiou(s, s) > 0.5 and lower(s.speaker, ",
    );
    let a = analysis(&text);
    let inside = |marker: &str| text.find(marker).map(|at| at + marker.len()).unwrap();
    let tiou = a.signature(inside("tiou(s, ")).expect("inside tiou");
    assert_eq!((tiou.label.as_str(), tiou.active), ("tiou(a, b)", 1));
    assert_eq!(tiou.parameters, ["a", "b"]);
    let lower = a.signature(inside("lower(")).expect("inside lower");
    assert_eq!((lower.label.as_str(), lower.active), ("lower(s)", 0));
    assert_eq!(a.signature(inside("require ")), None);
}

#[test]
fn functions_and_lets_are_hovered_defined_completed_and_listed() {
    let text = "schema { kind speech { start: time, end: time, speaker: str } }\n\n/// Seconds of speech.\nfn length(s: speech) -> duration = s.end - s.start\n\nrule long-turn: warning {\n  for s in speech\n  let took = length(s)\n  require took <= 30s\n  message \"{took}\"\n}\n";
    let a = analysis(text);
    assert!(a.problems().is_empty(), "{:?}", a.problems());
    let at = |needle: &str| text.find(needle).expect("in the text") + 1;
    let hover = a.hover(at("length(s)\n")).expect("a hover on the call");
    assert!(
        hover.contains("fn length(s: speech) -> duration") && hover.contains("Seconds of speech"),
        "{hover}"
    );
    let hover = a.hover(at("took <=")).expect("a hover on the let");
    assert!(hover.contains("let took = length(s)"), "{hover}");
    let place = a.definition(at("took <=")).expect("the let's definition");
    assert_eq!(&text[place.range.clone()], "took");
    let place = a
        .definition(at("length(s)\n"))
        .expect("the function's definition");
    assert_eq!(&text[place.range.clone()], "length");
    let completions = a.completions(at("took <=") - 1);
    assert!(completions
        .iter()
        .any(|c| c.label == "length" && c.what == "function"));
    assert!(completions
        .iter()
        .any(|c| c.label == "took" && c.what == "let"));
    assert!(a
        .symbols()
        .iter()
        .any(|s| s.name == "length" && s.what == "function"));
}

#[test]
fn a_broken_rule_leaves_the_rest_of_the_document_analysed() {
    // `long-turn` is being typed (its brace not closed yet); a second rule has a misspelled
    // field.
    let text = RULES.replace(
        "  message \"{s.speaker}\"\n}\n",
        "  message \"{s.speaker}\"\n  require s.\n\nrule other: error {\n  for s in speech\n  require s.speakr != \"\"\n  message \"x\"\n}\n",
    );
    let text = text.replacen(
        "  message \"{s.speaker}\"\n  require s.\n",
        "  require s.\n",
        1,
    );
    let a = analysis(&text);
    let codes: Vec<Option<&str>> = a.problems().iter().map(|p| p.code.as_deref()).collect();
    assert_eq!(a.problems().len(), 2, "{:?}", a.problems());
    assert!(
        a.problems()[0].error && codes[0].is_some_and(|c| c.starts_with("cord::syntax")),
        "{codes:?}"
    );
    assert_eq!(codes[1], Some("cord::check::unknown-field"));
    assert_eq!(&text[a.problems()[1].range.clone()], "speakr");
    // The outline keeps the schema, the constant, the other rule and the test.
    let names: Vec<String> = a.symbols().iter().map(|s| s.name.clone()).collect();
    assert!(
        names.contains(&"other".to_string()) && names.contains(&"longest".to_string()),
        "{names:?}"
    );
    // Completion after `s.` inside the broken rule offers speech's fields.
    let at = text.find("require s.\n").unwrap() + "require s.".len();
    let labels: Vec<String> = a.completions(at).into_iter().map(|c| c.label).collect();
    assert!(
        labels.contains(&"speaker".to_string()) && labels.contains(&"mood".to_string()),
        "{labels:?}"
    );
    // Hover on the constant still answers.
    assert!(a.hover(text.find("longest\n").unwrap() + 1).is_some());
}

#[test]
fn an_unterminated_string_is_reported_on_its_own_line() {
    let text = RULES.replace("message \"{s.speaker}\"", "message \"{s.speaker}");
    let a = analysis(&text);
    let p = &a.problems()[0];
    let line = text[..p.range.start].matches('\n').count();
    let expected = text[..text.find("message \"{s.speaker}").unwrap()]
        .matches('\n')
        .count();
    assert_eq!(line, expected, "{p:?}");
}

#[test]
fn quick_fixes_put_the_suggested_name_in_place_and_give_optional_values_a_default() {
    let text = RULES.replace("{s.speaker}", "{s.speakr}");
    let a = analysis(&text);
    let at = text.find("speakr").unwrap();
    let fixes = a.fixes(at..at);
    assert_eq!(fixes.len(), 1, "{fixes:?}");
    assert_eq!(&text[fixes[0].range.clone()], "speakr");
    assert_eq!(fixes[0].replacement, "speaker");
    assert!(a.fixes(0..1).is_empty(), "nothing to fix on the first line");

    let text = RULES
        .replace(
            "mood: enum { calm, loud } }",
            "mood: enum { calm, loud }, note: str? }",
        )
        .replace("require duration(s) <= longest", "require s.note == \"x\"");
    let a = analysis(&text);
    assert_eq!(
        a.problems()[0].code.as_deref(),
        Some("cord::check::optional-unchecked")
    );
    let at = text.find("s.note ==").unwrap();
    let fix = &a.fixes(at..at)[0];
    assert_eq!(fix.replacement, "(s.note ?? \"\")");
    let mut fixed = text.clone();
    fixed.replace_range(fix.range.clone(), &fix.replacement);
    assert!(
        analysis(&fixed).problems().is_empty(),
        "{:?}",
        analysis(&fixed).problems()
    );
}

#[test]
fn references_and_rename_find_every_use_of_a_name_by_what_it_names() {
    let a = analysis(RULES);
    let at = |needle: &str| RULES.find(needle).expect("in the text") + 1;
    let texts = |target: &Target| -> Vec<String> {
        (a.occurrences(target).iter())
            .map(|p| {
                format!(
                    "{}@{}",
                    &RULES[p.range.clone()],
                    RULES[..p.range.start].matches('\n').count() + 1
                )
            })
            .collect()
    };
    let field = a.target_at(at("speaker}")).expect("a field");
    assert_eq!(
        field,
        Target::Field {
            kind: "speech".into(),
            field: "speaker".into()
        }
    );
    // Its declaration, its use after `s.`, and the test record's field.
    assert_eq!(texts(&field), ["speaker@3", "speaker@13", "speaker@17"]);
    let constant = a
        .target_at(at("longest\n  message") - 1)
        .expect("a constant");
    assert_eq!(constant, Target::Const("longest".into()));
    assert_eq!(texts(&constant), ["longest@7", "longest@12"]);
    let rule = a.target_at(at("long-turn on")).expect("a rule");
    assert_eq!(texts(&rule), ["long-turn@10", "long-turn@18"]);
    assert_eq!(
        a.target_at(at("speech\n  require")),
        Some(Target::Kind("speech".into()))
    );

    assert_eq!(a.rename(&constant, "cap").map(|p| p.len()), Ok(2));
    assert!(
        a.rename(&field, "start").is_err(),
        "a field the kind has already"
    );
    assert!(a.rename(&constant, "rule").is_err(), "a keyword");
    assert!(
        a.rename(&constant, "a-b").is_err(),
        "a hyphen outside a rule id"
    );
    assert!(a.rename(&rule, "short-turn").is_ok());
    let names: Vec<String> = a.declarations("turn").into_iter().map(|d| d.0).collect();
    assert_eq!(names, ["long-turn", "a long turn"]);
}
