//! The process's allocator settings, set once by the binaries before anything else runs.

/// Turns off glibc's fast bins. A scan of a large account makes millions of small
/// allocations and frees most of them in bulk (a phase's caches, the parsed JSON); with
/// fast bins, every later allocation of a kilobyte or more first merges all the freed
/// chunks (`malloc_consolidate`), which took a quarter of a 100,000-principal scan. The
/// per-thread cache still serves small sizes. Measured on that scan: 6.6 s -> 5.7 s, peak
/// memory the same (docs/performance.md). Elsewhere (musl, macOS, Windows) it does nothing.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt changes a parameter of the allocator and nothing else; glibc takes
    // its own lock for it.
    unsafe {
        libc::mallopt(libc::M_MXFAST, 0);
    }
}
