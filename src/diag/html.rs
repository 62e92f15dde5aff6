//! The HTML report: one self-contained page (styles and script inline, no network) with a
//! summary, small bar charts, and each item's findings with a timeline of its records.
//!
//! The page is rendered from `report.html` with minijinja. What the script draws (findings,
//! timelines) travels as one JSON document in the page, so the file grows with what is shown:
//! every finding, and the records of the first items with findings (`check --report-items`).
//! Each item's findings are rendered into that document as the item completes
//! ([`super::spool`]), and the page is written around them at the end, so a report of a
//! million findings holds none of them in memory.

use super::lines::LineReader;
use super::spool::{Rendering, Spool};
use crate::data::{format_number, Record, Value};
use crate::eval::Finding;
use crate::pack::Pack;
use crate::run::Outcome;
use crate::run::Slot;
use crate::schema::{Shape, Type};
use indexmap::{IndexMap, IndexSet};
use serde::Serialize;

/// The template, inline so the binary carries it.
const TEMPLATE: &str = include_str!("report.html");

/// The name under which findings about the whole data set are listed.
const DATA_SET: &str = "(data set)";

/// Data errors listed in the page; the summary counts them all, `--format json` lists them.
const SHOWN_DATA_ERRORS: usize = 500;

/// Fields that name who or what a record belongs to, in the order a lane prefers them.
const LANE_FIELDS: [&str; 4] = ["speaker", "track", "annotator", "label"];

/// Renders the report of a run. Fails only if the template does (a bug, not bad input).
pub fn render(pack: &Pack, outcome: &Outcome) -> Result<String, minijinja::Error> {
    let io = |e: std::io::Error| {
        minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
    };
    let mut spool = spool(pack).map_err(io)?;
    for (i, info) in outcome.sources.iter().enumerate() {
        crate::run::FindingSink::source(&mut spool, crate::data::SourceId(i as u32), info);
    }
    let mut by_item: Vec<Vec<Finding>> = Vec::new();
    for f in &outcome.findings {
        match by_item.last_mut() {
            Some(last) if last[0].item == f.item => last.push(f.clone()),
            _ => by_item.push(vec![f.clone()]),
        }
    }
    for findings in by_item {
        let slot = findings[0].item.clone().map_or(Slot::Dataset, Slot::Item);
        crate::run::FindingSink::deliver(&mut spool, slot, findings);
    }
    let mut page = Vec::new();
    finish(spool, outcome, &mut page).map_err(io)?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}

/// A spool of the report's items for a run of `pack`.
pub fn spool(pack: &Pack) -> std::io::Result<Spool<ReportItems<'_>>> {
    Spool::new(ReportItems {
        pack,
        lines: LineReader::default(),
        tallies: Default::default(),
        annotators: IndexSet::new(),
    })
}

/// Where the items go in the report's data, written around them.
const ITEMS: &str = "\"items\":\"@@concordant-items@@\"";

/// Writes the report page around the items spooled.
pub fn finish(
    spool: Spool<ReportItems>,
    outcome: &Outcome,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut spool = spool;
    let (pack, tallies, annotators) = {
        let items = spool.rendering();
        let tallies = std::mem::take(&mut items.tallies);
        (items.pack, tallies, std::mem::take(&mut items.annotators))
    };
    let report = Report::of(pack, outcome, tallies.into_values().collect(), &annotators);
    let data = serde_json::to_string(&report.data)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c");
    let page = page(&report, &data).map_err(std::io::Error::other)?;
    let (before, rest) = page.split_once(TIMELINES).unwrap_or((&page, ""));
    let (middle, after) = rest.split_once(ITEMS).unwrap_or((rest, ""));
    write!(out, "{before}\"timelines\":{{")?;
    write_timelines(pack, outcome, &mut NoMarkup(&mut *out))?;
    write!(out, "}}{middle}\"items\":[")?;
    spool.copy_to(out, 1)?;
    write!(out, "]{after}")
}

/// Where the timelines go in the report's data, written around them.
const TIMELINES: &str = "\"timelines\":\"@@concordant-timelines@@\"";

/// The timelines of the items the run kept, one at a time, as the entries of a JSON object.
fn write_timelines(
    pack: &Pack,
    outcome: &Outcome,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for (i, (item, records)) in outcome.item_records.iter().enumerate() {
        let mut lanes = Vec::new();
        let records: Vec<RecordData> = (records.iter())
            .map(|r| record_data(pack, r, &mut lanes))
            .collect();
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &**item)?;
        out.write_all(b":")?;
        serde_json::to_writer(&mut *out, &Timeline { lanes, records })?;
    }
    Ok(())
}

/// Writes JSON with every `<` as `\u003c`. The JSON sits in a <script> element, where
/// `</script>` would end it and `<!--` then `<script` would make the browser swallow the rest
/// of the page; `<` occurs in JSON only inside strings, where `\u003c` means the same.
struct NoMarkup<'w>(&'w mut dyn std::io::Write);

impl std::io::Write for NoMarkup<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for (i, part) in buf.split(|&b| b == b'<').enumerate() {
            if i > 0 {
                self.0.write_all(b"\\u003c")?;
            }
            self.0.write_all(part)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The page, with `data` as the script's document.
fn page(report: &Report, data: &str) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    env.get_template("report.html")?
        .render(minijinja::context! {
            summary => report.summary,
            rules => report.rules,
            annotators => report.annotators,
            kinds => report.kinds,
            data => data,
        })
}

/// How the report renders each item's findings as a run goes: its entry of the data's
/// `items`, and what the summary's charts count of it.
pub struct ReportItems<'p> {
    pack: &'p Pack,
    lines: LineReader,
    /// What each item (by slot) adds to the charts; replaced when an item is evaluated again.
    tallies: std::collections::BTreeMap<Slot, Tally>,
    /// The annotators findings name, each once: tallies count them by index.
    annotators: IndexSet<String>,
}

/// What one item's findings add to the summary. A run keeps one for every item with
/// findings, so it is a few words: counts by annotator index and by kind, in boxed slices.
#[derive(Default)]
struct Tally {
    findings: u32,
    dataset: bool,
    annotators: Box<[(u32, u32)]>,
    kinds: Box<[(u32, u32)]>,
}

impl Rendering for ReportItems<'_> {
    fn render(
        &mut self,
        slot: &Slot,
        findings: &[Finding],
        out: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        let Some(first) = findings.first() else {
            self.tallies.remove(slot);
            return Ok(());
        };
        let mut counts = Counts::default();
        let findings: Vec<FindingData> = (findings.iter())
            .map(|f| finding_data(f, &self.lines))
            .inspect(|f| counts.count(f, &mut self.annotators))
            .collect();
        let tally = Tally {
            findings: findings.len() as u32,
            dataset: first.item.is_none(),
            annotators: counts.annotators.into_boxed_slice(),
            kinds: counts.kinds.into_boxed_slice(),
        };
        let item = ItemData {
            name: first.item.as_deref().unwrap_or(DATA_SET).to_string(),
            dataset: tally.dataset,
            findings,
        };
        self.tallies.insert(slot.clone(), tally);
        out.push(b',');
        let text = serde_json::to_string(&item).map_err(std::io::Error::other)?;
        out.extend_from_slice(text.replace('<', "\\u003c").as_bytes());
        Ok(())
    }

    fn source(&mut self, id: crate::data::SourceId, info: &crate::run::SourceInfo) {
        self.lines.add(id, info.readable.as_deref());
    }
}

/// One item's counts as its findings are rendered.
#[derive(Default)]
struct Counts {
    annotators: Vec<(u32, u32)>,
    kinds: Vec<(u32, u32)>,
}

impl Counts {
    fn count(&mut self, finding: &FindingData, names: &mut IndexSet<String>) {
        for a in &finding.annotators {
            let index = match names.get_index_of(a) {
                Some(i) => i,
                None => names.insert_full(a.clone()).0,
            };
            add_one(&mut self.annotators, index as u32);
        }
        let mut kinds: Vec<u32> = finding.records.iter().map(|r| r.0 as u32).collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds.into_iter().for_each(|k| add_one(&mut self.kinds, k));
    }
}

fn add_one(counts: &mut Vec<(u32, u32)>, key: u32) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => counts.push((key, 1)),
    }
}

/// What the template shows without the script.
struct Report {
    summary: Summary,
    rules: Vec<RuleRow>,
    annotators: Vec<Bar>,
    kinds: Vec<KindRow>,
    data: Data,
}

#[derive(Serialize)]
struct Summary {
    items: u64,
    read: u64,
    checked: u64,
    rejected: u64,
    findings: usize,
    errors: u64,
    warnings: u64,
    infos: u64,
    data_errors: usize,
    items_with_findings: usize,
    dataset_findings: usize,
    timelines: usize,
}

#[derive(Serialize)]
struct RuleRow {
    id: String,
    severity: &'static str,
    count: u64,
    /// Bar length, 0–100.
    width: f64,
    doc: String,
    location: String,
}

#[derive(Serialize)]
struct Bar {
    name: String,
    count: u64,
    width: f64,
}

#[derive(Serialize)]
struct KindRow {
    kind: String,
    read: u64,
    checked: u64,
    rejected: u64,
    findings: u64,
}

/// What the script needs, as compact as JSON allows: the big arrays use one-letter keys or
/// tuples, and kinds are indexes into `kinds`.
#[derive(Serialize)]
struct Data {
    files: Vec<String>,
    kinds: Vec<String>,
    rules: Vec<RuleInfo>,
    /// Where the records of the first items with findings go, by item, for their
    /// timelines ([`write_timelines`]).
    timelines: &'static str,
    /// Where the spooled items go.
    items: &'static str,
    errors: Vec<ErrorData>,
    #[serde(rename = "errorsTotal")]
    errors_total: usize,
}

#[derive(Serialize)]
struct RuleInfo {
    id: String,
    severity: &'static str,
}

#[derive(Serialize)]
struct ItemData {
    name: String,
    /// Whether these are the findings about the whole data set.
    dataset: bool,
    findings: Vec<FindingData>,
}

/// The timeline of an item whose records the run kept.
#[derive(Serialize)]
struct Timeline {
    /// The lanes, by name.
    lanes: Vec<String>,
    /// Every record of the item.
    records: Vec<RecordData>,
}

#[derive(Serialize)]
struct FindingData {
    #[serde(rename = "r")]
    rule: usize,
    #[serde(rename = "m")]
    message: String,
    #[serde(rename = "x")]
    records: Vec<RefData>,
    #[serde(rename = "a")]
    annotators: Vec<String>,
}

/// A record a finding names: kind (index), id, file (index), line.
#[derive(Serialize)]
struct RefData(usize, String, usize, u32);

#[derive(Serialize)]
struct RecordData {
    #[serde(rename = "k")]
    kind: usize,
    id: String,
    #[serde(rename = "l")]
    lane: usize,
    #[serde(rename = "s")]
    start: Option<f64>,
    #[serde(rename = "e")]
    end: Option<f64>,
    #[serde(rename = "f")]
    file: usize,
    #[serde(rename = "n")]
    line: u32,
    /// Every field but the times, formatted.
    #[serde(rename = "v")]
    fields: IndexMap<String, String>,
    /// The bounds (left, top, right, bottom) of its first box or polygon, for the frame view.
    #[serde(rename = "b", skip_serializing_if = "Option::is_none")]
    bounds: Option<[f64; 4]>,
}

#[derive(Serialize)]
struct ErrorData {
    code: String,
    message: String,
    file: usize,
    line: u32,
}

impl Report {
    fn of(
        pack: &Pack,
        outcome: &Outcome,
        tallies: Vec<Tally>,
        annotators: &IndexSet<String>,
    ) -> Report {
        let mut per_annotator: IndexMap<String, u64> = IndexMap::new();
        let mut per_kind: IndexMap<usize, u64> = IndexMap::new();
        for tally in &tallies {
            for &(a, n) in &tally.annotators {
                let name = annotators[a as usize].clone();
                *per_annotator.entry(name).or_default() += u64::from(n);
            }
            for &(k, n) in &tally.kinds {
                *per_kind.entry(k as usize).or_default() += u64::from(n);
            }
        }
        let kind_findings = |name: &str| {
            let id = pack.plan.schema.kind_id(name)?;
            per_kind.get(&(id.0 as usize)).copied()
        };
        let kinds = (outcome.summary.per_kind.iter())
            .map(|(kind, c)| KindRow {
                kind: kind.clone(),
                read: c.read,
                checked: c.checked,
                rejected: c.rejected,
                findings: kind_findings(kind).unwrap_or(0),
            })
            .collect();
        per_annotator.sort_by(|a, x, b, y| y.cmp(x).then(a.cmp(b)));
        Report {
            summary: summary(pack, outcome, &tallies),
            rules: rule_rows(pack, outcome),
            annotators: bars(per_annotator),
            kinds,
            data: data(pack, outcome),
        }
    }
}

/// The script's document but its items.
fn data(pack: &Pack, outcome: &Outcome) -> Data {
    Data {
        files: outcome.sources.iter().map(|s| s.name.clone()).collect(),
        kinds: pack
            .plan
            .schema
            .kinds()
            .map(|(_, k)| k.name.clone())
            .collect(),
        rules: (pack.plan.rules.iter())
            .map(|r| RuleInfo {
                id: r.id.clone(),
                severity: r.severity.as_str(),
            })
            .collect(),
        timelines: "@@concordant-timelines@@",
        items: "@@concordant-items@@",
        errors: (outcome.data_errors.iter())
            .take(SHOWN_DATA_ERRORS)
            .map(|e| ErrorData {
                code: e.code_str(),
                message: e.to_string(),
                file: e.origin().source.0 as usize,
                line: e.origin().line,
            })
            .collect(),
        errors_total: outcome.data_errors.len(),
    }
}

fn summary(pack: &Pack, outcome: &Outcome, tallies: &[Tally]) -> Summary {
    let total = outcome.summary.total();
    let by_severity = |word: &str| {
        pack.plan
            .rules
            .iter()
            .zip(&outcome.per_rule)
            .filter(|(r, _)| r.severity.as_str() == word)
            .map(|(_, n)| *n)
            .sum()
    };
    let dataset_findings = (tallies.iter())
        .filter(|t| t.dataset)
        .map(|t| t.findings as usize)
        .sum();
    Summary {
        items: outcome.summary.items,
        read: total.read,
        checked: total.checked,
        rejected: total.rejected,
        findings: tallies.iter().map(|t| t.findings as usize).sum(),
        errors: by_severity("error"),
        warnings: by_severity("warning"),
        infos: by_severity("info"),
        data_errors: outcome.data_errors.len(),
        items_with_findings: tallies.iter().filter(|t| !t.dataset).count(),
        dataset_findings,
        timelines: outcome.item_records.len(),
    }
}

fn rule_rows(pack: &Pack, outcome: &Outcome) -> Vec<RuleRow> {
    let most = outcome.per_rule.iter().copied().max().unwrap_or(0).max(1) as f64;
    pack.plan
        .rules
        .iter()
        .zip(&outcome.per_rule)
        .map(|(rule, n)| RuleRow {
            id: rule.id.clone(),
            severity: rule.severity.as_str(),
            count: *n,
            width: (*n as f64 / most * 100.0).round(),
            doc: rule.doc.join(" "),
            location: format!("{}:{}", rule.location.file.display(), rule.location.line),
        })
        .collect()
}

fn bars(counts: IndexMap<String, u64>) -> Vec<Bar> {
    let most = counts.values().copied().max().unwrap_or(0).max(1) as f64;
    counts
        .into_iter()
        .map(|(name, count)| Bar {
            width: (count as f64 / most * 100.0).round(),
            name,
            count,
        })
        .collect()
}

fn finding_data(f: &Finding, lines: &LineReader) -> FindingData {
    let mut annotators: Vec<String> = Vec::new();
    let records = f
        .records
        .iter()
        .map(|r| {
            let annotator = lines.get(r.origin).and_then(|l| annotator_in_line(&l));
            if let Some(a) = annotator.filter(|a| !annotators.contains(a)) {
                annotators.push(a);
            }
            RefData(
                r.kind.0 as usize,
                r.id.to_string(),
                r.origin.source.0 as usize,
                r.origin.line,
            )
        })
        .collect();
    FindingData {
        rule: f.rule,
        message: f.message.clone(),
        records,
        annotators,
    }
}

/// The `annotator` of a JSON data line, for records the run did not keep.
fn annotator_in_line(line: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    value.get("annotator")?.as_str().map(String::from)
}

fn text_field(pack: &Pack, record: &Record, name: &str) -> Option<String> {
    let kind = pack.plan.schema.kind(record.kind);
    let id = kind.field_id(name)?;
    match record.get(id) {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    }
}

fn record_data(pack: &Pack, r: &Record, lanes: &mut Vec<String>) -> RecordData {
    let kind = pack.plan.schema.kind(r.kind);
    let (start, end) = match kind.interval {
        Some((s, e)) => (Some(r.num(s)), Some(r.num(e))),
        None => {
            let at = kind
                .fields
                .iter()
                .position(|(_, f)| f.ty == Type::Time)
                .map(|i| r.num(crate::schema::FieldId(i as u32)));
            (at, at)
        }
    };
    let lane = LANE_FIELDS
        .iter()
        .find_map(|name| text_field(pack, r, name))
        .map_or_else(|| kind.name.clone(), |who| format!("{} · {who}", kind.name));
    let lane = lanes.iter().position(|l| *l == lane).unwrap_or_else(|| {
        lanes.push(lane);
        lanes.len() - 1
    });
    let times = kind.interval.map(|(s, e)| [s.0 as usize, e.0 as usize]);
    let fields = kind
        .fields
        .iter()
        .zip(r.fields.iter())
        .enumerate()
        .filter(|(i, (_, v))| !matches!(v, Value::Missing) && !times.is_some_and(|t| t.contains(i)))
        .map(|(_, pair)| pair)
        .map(|((name, field), value)| {
            let shown = match (value, &field.ty) {
                (Value::Num(n), Type::Time | Type::Duration) => format!("{}s", format_number(*n)),
                _ => value.to_string(),
            };
            (name.clone(), shown)
        })
        .collect();
    RecordData {
        kind: r.kind.0 as usize,
        id: r.id.to_string(),
        lane,
        start: start.filter(|x| x.is_finite()),
        end: end.filter(|x| x.is_finite()),
        file: r.origin.source.0 as usize,
        line: r.origin.line,
        fields,
        bounds: region_bounds(kind, r),
    }
}

/// The bounds of a record's first box or polygon field that holds one.
fn region_bounds(kind: &crate::schema::Kind, r: &Record) -> Option<[f64; 4]> {
    let shapes = (kind.fields.values().zip(r.fields.iter()))
        .filter(|(f, _)| matches!(f.ty, Type::Shape(Shape::Box | Shape::Polygon)));
    shapes
        .filter_map(|(_, value)| crate::ops::space::region(value)?.bounds())
        .map(|b| [b.x0, b.y0, b.x1, b.y1])
        .find(|b| b.iter().all(|x| x.is_finite()))
}
