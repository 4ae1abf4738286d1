//! The `alongside` command.

/// mimalloc rather than the system's allocator: under load, glibc's malloc and free took about
/// an eighth of the server's time (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    app::cli::main()
}
