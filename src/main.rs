//! The `perfgate` binary: everything lives in the library and `cli`; this only runs it.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
