//! Every pack in `rules/` (and every dataset pack) compiles without warnings, its tests pass, and it runs on every
//! data file in `examples/data` without rejecting a record it should accept.

use concordant::{Input, Pack};
use std::path::Path;

#[test]
fn bundled_packs_compile_cleanly_and_pass_their_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    insta::glob!("../rules", "*.cord", |path| {
        let pack = Pack::from_paths(&[path]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            pack.warnings().is_empty(),
            "{}: {:?}",
            path.display(),
            pack.warnings()
        );
        for result in pack.run_tests() {
            assert!(
                result.passed(),
                "{} › {}: {:?}",
                path.display(),
                result.name,
                result
            );
        }
        let outcome = pack.check_inputs(&[Input::Path(root.join("examples/data/clips.jsonl"))]);
        let total = outcome.summary.total();
        assert_eq!(total.read, total.checked + total.rejected);
        // A pack whose schema declares `sentiment_label.segment` a `ref` also reports the
        // label whose segment does not exist.
        let read_errors = (outcome.data_errors.iter())
            .filter(|e| !format!("{e:?}").contains("DanglingReference"))
            .count();
        assert_eq!(read_errors, 2, "the example data holds two bad lines");
        assert_eq!(total.rejected, 1, "one of them cannot be read at all");
        assert_eq!(total.with_data_errors, 1, "the other is checked as read");
    });
}

/// Every dataset pack under `rules/datasets/` compiles without warnings and its tests pass.
#[test]
fn dataset_packs_compile_cleanly_and_pass_their_tests() {
    let datasets = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/datasets");
    let mut packs: Vec<_> = std::fs::read_dir(&datasets)
        .expect("rules/datasets is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    packs.sort();
    assert!(!packs.is_empty());
    for dir in packs {
        let pack = Pack::from_paths(&[&dir]).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        assert!(
            pack.warnings().is_empty(),
            "{}: {:?}",
            dir.display(),
            pack.warnings()
        );
        let results = pack.run_tests();
        assert!(!results.is_empty(), "{} has no test block", dir.display());
        for result in results {
            assert!(
                result.passed(),
                "{} › {}: {:?}",
                dir.display(),
                result.name,
                result
            );
        }
    }
}

/// The reliability pack (a pack of its own, importing rules/agreement.cord) compiles cleanly,
/// passes its tests and streams its data-set rules on the example data.
#[test]
fn reliability_pack_compiles_passes_and_streams() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pack = Pack::from_paths(&[root.join("rules/reliability")]).expect("the pack compiles");
    assert!(pack.warnings().is_empty(), "{:?}", pack.warnings());
    for result in pack.run_tests() {
        assert!(result.passed(), "{}: {:?}", result.name, result);
    }
    let streamed = pack
        .plan()
        .rules
        .iter()
        .filter(|r| r.streamed_statistics().is_some())
        .count();
    assert_eq!(streamed, 4, "the data-set rules without `for` stream");
    let outcome = pack.check_inputs(&[Input::Path(root.join("examples/data/clips.jsonl"))]);
    assert_eq!(
        outcome.metrics.len(),
        4,
        "α and κ over the data set, the share of clips, the diarization error"
    );
    assert!(outcome.metrics.iter().all(|m| m.value.is_some()));
}
