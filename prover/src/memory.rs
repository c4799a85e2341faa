//! Large buffers for the prover.
//!
//! The LDE matrices are hundreds of megabytes. Zero-filling them before they are overwritten
//! costs as much as computing them on our development machine (page faults are expensive
//! there), so [`filled`] allocates without initialising and has the caller write every
//! element.
//!
//! It does not ask for transparent huge pages: with the kernel's default `defrag` setting a
//! `MADV_HUGEPAGE` region is faulted in by direct compaction when memory is fragmented, and on
//! our development machine first-touching 1 GiB then took 2.3 s instead of 0.4 s with 4 KiB
//! pages (F(86181): 8.5-8.6 s with the advice, 7.6-8.3 s without, system time 2.2-2.9 s
//! against 0.9 s).

use std::mem::MaybeUninit;

/// Allocates `len` elements and lets `fill` write all of them (it receives the buffer and must
/// initialise every element, e.g. through `par_chunks_mut`), then returns the initialised vector.
pub fn filled<T: Copy + Send + Sync>(len: usize, fill: impl FnOnce(&mut [MaybeUninit<T>])) -> Vec<T> {
    let mut buf: Vec<MaybeUninit<T>> = Vec::with_capacity(len);
    // SAFETY: `MaybeUninit<T>` needs no initialisation, and the capacity is `len`.
    unsafe { buf.set_len(len) };
    fill(&mut buf);
    let mut buf = std::mem::ManuallyDrop::new(buf);
    // SAFETY: `fill` initialised every element (the contract of this function), and
    // `MaybeUninit<T>` has the same size and alignment as `T`, so the allocation can be
    // reinterpreted as a `Vec<T>` of the same length and capacity.
    unsafe { Vec::from_raw_parts(buf.as_mut_ptr() as *mut T, buf.len(), buf.capacity()) }
}

/// `len` copies of `value`, written in parallel: `vec![value; len]` of a type the allocator
/// cannot zero for us (a digest, a Plonky3 element) writes, and first touches, hundreds of
/// megabytes on one core (134 MB for a 2^21-leaf tree: 51-60 ms serially, 29-33 ms on two
/// cores, measured in a standalone loop).
pub fn repeated<T: Copy + Send + Sync>(len: usize, value: T) -> Vec<T> {
    use rayon::prelude::*;
    filled(len, |buf| {
        buf.par_chunks_mut(1 << 14).for_each(|chunk| {
            for x in chunk {
                x.write(value);
            }
        })
    })
}

/// Makes the process's allocator keep freed memory for reuse, for a process that proves.
///
/// A proof allocates and frees several buffers of hundreds of megabytes in turn. glibc's
/// malloc serves each from a fresh `mmap` and unmaps it when freed, so every buffer is faulted
/// in (and zeroed by the kernel) again: on our development machine that is about a second of
/// a 9-second F(86181) proof. After this call, allocations come from the heap and freed memory
/// stays there for the next buffer (peak memory grows by about 2%). Call it once, early, in a
/// binary (the `distaff` CLI and the performance report do); it changes the whole process's
/// allocator, so a library should leave the choice to its binary. It does nothing outside
/// glibc.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator parameters; it is called with valid options, and a
    // refused setting (return value 0) leaves the allocator as it was.
    unsafe {
        libc::mallopt(libc::M_MMAP_MAX, 0);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// The memory the system reports available (`MemAvailable` on Linux), in bytes; `None` where
/// it says nothing. What a caller compares [`crate::estimated_memory`] with, unless told a limit.
pub fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    #[test]
    fn filled_returns_what_was_written() {
        for len in [0usize, 1, 1000, (8 << 20) / 8 + 3] {
            let v: Vec<u64> = super::filled(len, |b| {
                for (i, x) in b.iter_mut().enumerate() {
                    x.write(i as u64 * 3);
                }
            });
            assert_eq!(v.len(), len);
            assert!(v.iter().enumerate().all(|(i, x)| *x == i as u64 * 3));
        }
    }
}
