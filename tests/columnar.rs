//! Parquet and Arrow IPC input: the bundled example's records written as a table (a row per
//! record, a column per field, as arrow-rs infers them from the JSON) give the JSON Lines'
//! findings and counts; a damaged file and a column no field can hold are reported.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use arrow_array::RecordBatch;

/// The example's records that a typed column can hold: its broken line, and the records whose
/// field is a string where the field's other values are numbers, are left out (a table cannot
/// hold both). Written to `dir` as JSON Lines, and given as one batch.
fn example_batch(dir: &Path) -> RecordBatch {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/data/clips.jsonl")).expect("example");
    let objects: Vec<(&str, serde_json::Map<String, serde_json::Value>)> = (text.lines())
        .filter_map(|l| match serde_json::from_str(l) {
            Ok(serde_json::Value::Object(o)) => Some((l, o)),
            _ => None,
        })
        .collect();
    let numeric: std::collections::HashSet<&String> = (objects.iter().flat_map(|(_, o)| o.iter()))
        .filter(|(_, v)| v.is_number())
        .map(|(k, _)| k)
        .collect();
    let lines: Vec<&str> = (objects.iter())
        .filter(|(_, o)| !o.iter().any(|(k, v)| v.is_string() && numeric.contains(k)))
        .map(|(l, _)| *l)
        .collect();
    let joined = lines.join("\n");
    std::fs::write(dir.join("typed.jsonl"), format!("{joined}\n")).expect("write");
    let (schema, _) =
        arrow_json::reader::infer_json_schema(joined.as_bytes(), None).expect("schema");
    let mut reader = arrow_json::ReaderBuilder::new(Arc::new(schema))
        .build(joined.as_bytes())
        .expect("reader");
    reader.next().expect("a batch").expect("rows")
}

fn write_parquet(batch: &RecordBatch, path: &Path) {
    let file = std::fs::File::create(path).expect("create");
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).expect("writer");
    writer.write(batch).expect("write");
    writer.close().expect("close");
}

fn write_arrow_file(batch: &RecordBatch, path: &Path) {
    let file = std::fs::File::create(path).expect("create");
    let mut writer = arrow_ipc::writer::FileWriter::try_new(file, &batch.schema()).expect("writer");
    writer.write(batch).expect("write");
    writer.finish().expect("finish");
}

fn write_arrow_stream(batch: &RecordBatch, path: &Path) {
    let file = std::fs::File::create(path).expect("create");
    let mut writer =
        arrow_ipc::writer::StreamWriter::try_new(file, &batch.schema()).expect("writer");
    // Two batches, so that rows are numbered across them.
    let half = batch.num_rows() / 2;
    writer.write(&batch.slice(0, half)).expect("write");
    writer
        .write(&batch.slice(half, batch.num_rows() - half))
        .expect("write");
    writer.finish().expect("finish");
}

/// `check --format json` of `data`, each line parsed.
fn check(data: &[&Path], extra: &[&str]) -> (Option<i32>, Vec<serde_json::Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_concordant"))
        .args(["check", "--rules", "rules/", "--format", "json"])
        .args(extra)
        .args(data)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run concordant");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    (out.status.code(), lines)
}

/// The findings with the place of each record left out (a row is not a line), and the
/// summary's record counts.
fn findings_and_counts(lines: &[serde_json::Value]) -> (Vec<serde_json::Value>, serde_json::Value) {
    let mut findings = Vec::new();
    let mut counts = serde_json::Value::Null;
    for line in lines {
        match line["type"].as_str() {
            Some("finding") => {
                let mut finding = line.clone();
                for record in finding["records"].as_array_mut().expect("records") {
                    let record = record.as_object_mut().expect("record");
                    record.remove("file");
                    record.remove("line");
                }
                findings.push(finding);
            }
            Some("summary") => counts = line["per_kind"].clone(),
            _ => {}
        }
    }
    (findings, counts)
}

fn table_files(dir: &Path) -> Vec<PathBuf> {
    let batch = example_batch(dir);
    let files = [
        (
            dir.join("clips.parquet"),
            write_parquet as fn(&RecordBatch, &Path),
        ),
        (dir.join("clips.arrow"), write_arrow_file),
        (dir.join("clips.arrows"), write_arrow_stream),
    ];
    files
        .into_iter()
        .map(|(path, write)| {
            write(&batch, &path);
            path
        })
        .collect()
}

#[test]
fn parquet_and_arrow_give_the_json_lines_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tables = table_files(dir.path());
    let (status, lines) = check(&[&dir.path().join("typed.jsonl")], &[]);
    assert_eq!(status, Some(1));
    let (expected, expected_counts) = findings_and_counts(&lines);
    assert!(expected.len() > 5, "{lines:?}");
    for table in tables {
        let (status, lines) = check(&[&table], &[]);
        assert_eq!(status, Some(1), "{}", table.display());
        let (findings, counts) = findings_and_counts(&lines);
        assert_eq!(findings, expected, "{}", table.display());
        assert_eq!(counts, expected_counts, "{}", table.display());
        let finding = lines
            .iter()
            .find(|l| l["type"] == "finding")
            .expect("a finding");
        let file = finding["records"][0]["file"].as_str().expect("file");
        assert!(file.ends_with(&*table.file_name().unwrap().to_string_lossy()));
    }
}

#[test]
fn a_damaged_table_is_reported_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    for table in table_files(dir.path()) {
        let bytes = std::fs::read(&table).expect("read");
        std::fs::write(&table, &bytes[..bytes.len() / 2]).expect("cut");
        let (status, lines) = check(&[&table], &[]);
        assert_eq!(status, Some(1), "{}", table.display());
        let malformed = lines.iter().find(|l| l["code"] == "cord::data::malformed");
        let malformed = malformed.unwrap_or_else(|| panic!("{}: {lines:?}", table.display()));
        let message = malformed["message"].as_str().expect("message");
        assert!(message.contains("cannot be read"), "{message}");
    }
}

#[test]
fn a_column_no_field_can_hold_is_named_and_left_out() {
    use arrow_array::{Date32Array, StringArray};
    let dir = tempfile::tempdir().expect("tempdir");
    let batch = RecordBatch::try_from_iter([
        (
            "item",
            Arc::new(StringArray::from(vec!["a"])) as arrow_array::ArrayRef,
        ),
        ("kind", Arc::new(StringArray::from(vec!["caption"]))),
        ("id", Arc::new(StringArray::from(vec!["c1"]))),
        ("text", Arc::new(StringArray::from(vec!["a dog"]))),
        ("day", Arc::new(Date32Array::from(vec![19000]))),
    ])
    .expect("batch");
    let path = dir.path().join("dated.parquet");
    write_parquet(&batch, &path);
    let (_, lines) = check(&[&path], &["--select", "caption-mentions-visible"]);
    let message = lines[0]["message"].as_str().expect("message");
    assert!(
        message.contains("column `day` is of type Date32"),
        "{message}"
    );
    let summary = lines.last().expect("summary");
    assert_eq!(summary["per_kind"]["caption"]["read"], 1, "{summary}");
}
