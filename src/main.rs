//! The `concordant` binary.

mod cli;

/// Records are allocated on the threads that parse them and freed on the threads that
/// evaluate them; mimalloc handles that pattern far better than the system allocator. Its
/// `no_thp` feature keeps the resident set to the pages in use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
