//! Embedding Concordant: compile a rule pack, check records, iterate the findings.
//!
//! Run with `cargo run --example embed`.

use concordant::eval::Finding;
use concordant::{FindingSink, Input, Pack, RunOptions};

/// A sink that receives each item's findings as soon as the item is checked, so that a run
/// over millions of records keeps none of them: here it only counts them.
#[derive(Default)]
struct CountFindings {
    per_slot: std::collections::BTreeMap<concordant::Slot, usize>,
}

impl FindingSink for CountFindings {
    fn deliver(&mut self, slot: concordant::Slot, findings: Vec<Finding>) {
        // A slot delivered again (its item's records reappeared later) replaces its findings.
        self.per_slot.insert(slot, findings.len());
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Compile every `*.cord` file under `rules/` (imports are followed).
    let pack = match Pack::from_paths(&["rules"]) {
        Ok(pack) => pack,
        Err(e) => {
            eprint!(
                "{}",
                concordant::diag::render_pack_error(&e, concordant::diag::Color::Never)
            );
            return Err(e.into());
        }
    };

    // Check a JSON Lines file; items are evaluated as soon as their records are complete.
    let outcome = pack.check_inputs(&[Input::Path("examples/data/clips.jsonl".into())]);
    for finding in &outcome.findings {
        let rule = pack.rule(finding);
        let item = finding.item.as_deref().unwrap_or("(data set)");
        println!("{item}: [{}] {}", rule.id, finding.message);
    }
    for error in &outcome.data_errors {
        println!("line {}: {error}", error.origin().line);
    }

    // Stream the findings instead, on two threads.
    let options = RunOptions {
        threads: 2,
        ..RunOptions::default()
    };
    let mut sink = CountFindings::default();
    let inputs = [Input::Path("examples/data/clips.jsonl".into())];
    let outcome = pack.check_inputs_into(&inputs, &options, &mut sink);
    let streamed: usize = sink.per_slot.values().sum();
    println!(
        "streamed {streamed} findings; {} records read",
        outcome.summary.total().read
    );

    // Records can also come from memory, as JSON values.
    let records = vec![
        serde_json::json!({"item": "c9", "kind": "speech", "id": "s1", "start": 0.0, "end": 1.0, "speaker": "ann"}),
    ];
    let outcome = pack.check_values(records);
    println!("in-memory check: {} findings", outcome.findings.len());
    Ok(())
}
