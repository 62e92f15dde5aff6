//! Checker, planner and evaluator on any data: the packs of `rules/` check fuzzed JSON Lines
//! through the whole run (reading in small batches, validation, evaluation, data-set
//! statistics), and the outcome is rendered as text and SARIF. Nothing panics, and the
//! summary reconciles: every record read is checked or rejected.
#![no_main]

use concordant::diag::{sarif, Color, HumanRenderer};
use concordant::{Input, Pack, RunOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| {
        let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
        Pack::from_paths(&[rules]).unwrap_or_else(|e| panic!("rules/ compiles: {e}"))
    })
}

fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        // The fuzzing thread itself is the pool's one thread, so a run starts on it without
        // a hand-over to another thread and back.
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("a thread pool: {e}"))
    })
}

/// Where each input is written to be read as a file: memory-backed when the machine has it,
/// since writing a file per input on disk costs more than checking it.
fn scratch_dir() -> std::path::PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fuzz_target!(|data: &[u8]| {
    let path = scratch_dir().join(format!("concordant-fuzz-{}.jsonl", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let options = RunOptions {
        batch_bytes: 97,
        work_budget: 100_000,
        ..RunOptions::default()
    };
    let pack = pack();
    // One thread, made once: a pool per input would cost more than the run.
    let outcome = pool().install(|| pack.check(&[Input::Path(path)], &options));
    let total = outcome.summary.total();
    assert_eq!(
        total.read,
        total.checked + total.rejected,
        "the summary reconciles"
    );
    // Rendering costs more than the run; one input in eight is rendered, chosen by its length
    // so that a crash reproduces.
    if data.len() % 8 == 0 {
        let _ = HumanRenderer::new(pack, &outcome, Color::Never).render_all();
        let _ = sarif::render(pack, &outcome);
    }
});
