//! The `perfgate` binary: everything lives in the library and `cli`; this only runs it.

mod cli;

/// musl's allocator is slow for the many small allocations of parsing and reporting; the static
/// builds use mimalloc instead (measured in the book's Development chapter).
#[cfg(all(target_env = "musl", target_pointer_width = "64"))]
mod allocator {
    #[global_allocator]
    static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

    /// `mi_option_purge_delay`, by its place in mimalloc 3's `mi_option_e` (`mimalloc.h`).
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // The place above is mimalloc 3's: a mimalloc whose list of options changed stops the build.
    const _: () = assert!(libmimalloc_sys::_mi_option_last == 47);

    /// Memory freed goes back to the system at once instead of a second later: a run of perfgate
    /// is over in well under a second, so the delay only raised its peak (10,000 x 30 Go
    /// benchmarks: 93 MB, and 39 MB without it, against 50 MB with glibc's allocator).
    pub fn tune() {
        // SAFETY: sets one of mimalloc's options, a plain store, before any other thread exists.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
    }
}

fn main() -> std::process::ExitCode {
    #[cfg(all(target_env = "musl", target_pointer_width = "64"))]
    allocator::tune();
    cli::main()
}
