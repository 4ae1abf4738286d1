//! The `alongside` command.

fn main() -> std::process::ExitCode {
    app::cli::main()
}
