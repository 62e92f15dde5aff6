//! JUnit XML for `concordant test --format junit`, the report format CI systems show test
//! results from: one test suite per rule file, one test case per `test` block (with its file
//! and line), a failure with the expected and actual findings for each failing test.

use crate::testing::TestResult;
use indexmap::IndexMap;

/// Escapes text for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The file and line of a test's location (`path:line:column`).
fn file_and_line(location: &str) -> (&str, &str) {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut file = location;
    let mut numbers = Vec::new();
    while let Some((head, tail)) = file.rsplit_once(':') {
        if !numeric(tail) || numbers.len() == 2 {
            break;
        }
        numbers.push(tail);
        file = head;
    }
    (file, numbers.last().copied().unwrap_or("0"))
}

/// The expected-and-actual diff of a failing test, as `concordant test` prints it.
fn diff(result: &TestResult) -> String {
    let expected = result.missing.iter().map(|m| format!("- expected: {m}\n"));
    let actual = result
        .unexpected
        .iter()
        .map(|u| format!("+ actual:   {u}\n"));
    expected.chain(actual).collect()
}

/// A pack that does not compile, as one JUnit XML document: one test case, "the rule pack
/// compiles", in error with the rendered diagnostics, so a CI report shows why no test ran
/// rather than nothing.
pub fn render_pack_error(error: &crate::pack::PackError) -> String {
    let details = super::human::render_pack_error(error, super::Color::Never);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"concordant\" tests=\"1\" failures=\"0\" errors=\"1\">\n  <testsuite name=\"rule pack\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase name=\"the rule pack compiles\" classname=\"rule pack\">\n      <error message=\"{}\" type=\"rule-file errors\">{}</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n",
        escape(&format!("{}; no test ran", error.summary())),
        escape(&details)
    )
}

/// Every test result as one JUnit XML document.
pub fn render(results: &[TestResult]) -> String {
    let mut suites: IndexMap<&str, Vec<&TestResult>> = IndexMap::new();
    for r in results {
        suites
            .entry(file_and_line(&r.location).0)
            .or_default()
            .push(r);
    }
    let failures = results.iter().filter(|r| !r.passed()).count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"concordant\" tests=\"{}\" failures=\"{failures}\">\n",
        results.len()
    );
    for (file, tests) in &suites {
        let failed = tests.iter().filter(|r| !r.passed()).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">\n",
            escape(file),
            tests.len()
        ));
        for r in tests {
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                escape(&r.name),
                escape(file),
                escape(file),
                file_and_line(&r.location).1
            ));
            if r.passed() {
                out.push_str("/>\n");
                continue;
            }
            let summary = format!(
                "{} expected finding(s) missing, {} unexpected",
                r.missing.len(),
                r.unexpected.len()
            );
            out.push_str(&format!(
                ">\n      <failure message=\"{}\" type=\"findings differ\">{}</failure>\n    </testcase>\n",
                escape(&summary),
                escape(&diff(r))
            ));
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
