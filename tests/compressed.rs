//! Compressed inputs: a gzip or zstd file gives exactly the findings, data errors and summary
//! of the file it compresses (under its own name), for JSON Lines and the other readers
//! alike; a damaged stream is reported and the text before the damage is still checked.

mod support;

use concordant::{Input, Pack};
use std::io::Write;
use std::path::Path;
use support::root;

/// The JSON output of checking `file` with `pack`, its name replaced by `FILE`.
fn output(pack: &Pack, file: &Path) -> String {
    let outcome = pack.check_inputs(&[Input::Path(file.to_path_buf())]);
    let name = file.display().to_string();
    concordant::diag::json::render(pack, &outcome).replace(&name, "FILE")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("compresses");
    encoder.finish().expect("compresses")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

#[test]
fn a_compressed_file_gives_what_its_text_gives() {
    let cases = [
        ("examples/data/clips.jsonl", "rules"),
        (
            "tests/fixtures/real/label-studio/test_bbox.json",
            "rules/datasets/label-studio",
        ),
        ("tests/fixtures/cvat/images.xml", "rules/datasets/cvat"),
        ("tests/fixtures/coco/instances.json", "rules/vision"),
    ];
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (file, rules) in cases {
        let pack = Pack::from_paths(&[root().join(rules)]).expect("the pack compiles");
        let text = std::fs::read(root().join(file)).expect("the fixture");
        let name = Path::new(file)
            .file_name()
            .expect("a file name")
            .to_string_lossy();
        let plain = dir.path().join(&*name);
        std::fs::write(&plain, &text).expect("written");
        let want = output(&pack, &plain);
        for (extension, compressed) in [("gz", gzip(&text)), ("zst", zstd(&text))] {
            let path = dir.path().join(format!("{name}.{extension}"));
            std::fs::write(&path, compressed).expect("written");
            assert_eq!(output(&pack, &path), want, "{file}.{extension}");
        }
    }
}

#[test]
fn a_damaged_stream_is_reported_and_its_text_before_the_damage_checked() {
    let pack = Pack::from_paths(&[root().join("rules")]).expect("rules/ compiles");
    let text = std::fs::read(root().join("examples/data/clips.jsonl")).expect("the example");
    let lines = text.iter().filter(|b| **b == b'\n').count();
    let repeated = text.repeat(50);
    let compressed = gzip(&repeated);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("cut.jsonl.gz");
    std::fs::write(&path, &compressed[..compressed.len() / 2]).expect("written");
    let outcome = pack.check_inputs(&[Input::Path(path)]);
    let damaged =
        (outcome.data_errors.iter()).any(|e| e.to_string().contains("gzip stream is damaged"));
    assert!(damaged, "{:?}", outcome.data_errors);
    let read = outcome.summary.total().read as usize;
    assert!(
        read > lines,
        "the text before the damage is read: {read} records"
    );
}

#[test]
fn compressed_bytes_are_read_as_a_compressed_file_is() {
    let pack = Pack::from_paths(&[root().join("rules")]).expect("rules/ compiles");
    let text = std::fs::read(root().join("examples/data/clips.jsonl")).expect("the example");
    let render = |bytes: Vec<u8>, name: &str| {
        let input = Input::Bytes {
            name: name.to_string(),
            bytes: bytes.into(),
        };
        let outcome = pack.check_inputs(&[input]);
        concordant::diag::json::render(&pack, &outcome).replace(name, "FILE")
    };
    let want = render(text.clone(), "clips.jsonl");
    assert_eq!(render(gzip(&text), "clips.jsonl.gz"), want);
    assert_eq!(render(zstd(&text), "clips.jsonl.zst"), want);
}
