//! Large buffers for the prover.
//!
//! The LDE matrices are hundreds of megabytes. Zero-filling them before they are overwritten
//! costs as much as computing them on our development machine (page faults are expensive
//! there), so [`filled`] allocates without initialising and has the caller write every
//! element. On Linux it also asks for transparent huge pages (`MADV_HUGEPAGE`), which cuts
//! the number of page faults by 512.

use std::mem::MaybeUninit;

/// Buffers smaller than this are left to the allocator as they are.
const HUGE_PAGE_THRESHOLD: usize = 8 << 20;

/// Allocates `len` elements and lets `fill` write all of them (it receives the buffer and must
/// initialise every element, e.g. through `par_chunks_mut`), then returns the initialised vector.
pub fn filled<T: Copy + Send + Sync>(len: usize, fill: impl FnOnce(&mut [MaybeUninit<T>])) -> Vec<T> {
    let mut buf: Vec<MaybeUninit<T>> = Vec::with_capacity(len);
    // SAFETY: `MaybeUninit<T>` needs no initialisation, and the capacity is `len`.
    unsafe { buf.set_len(len) };
    advise_huge_pages(&mut buf);
    fill(&mut buf);
    let mut buf = std::mem::ManuallyDrop::new(buf);
    // SAFETY: `fill` initialised every element (the contract of this function), and
    // `MaybeUninit<T>` has the same size and alignment as `T`, so the allocation can be
    // reinterpreted as a `Vec<T>` of the same length and capacity.
    unsafe { Vec::from_raw_parts(buf.as_mut_ptr() as *mut T, buf.len(), buf.capacity()) }
}

#[cfg(target_os = "linux")]
fn advise_huge_pages<T>(buf: &mut [MaybeUninit<T>]) {
    let bytes = std::mem::size_of_val(buf);
    if bytes < HUGE_PAGE_THRESHOLD {
        return;
    }
    const PAGE: usize = 2 << 20;
    let start = buf.as_mut_ptr() as usize;
    let aligned = start.next_multiple_of(PAGE);
    let end = (start + bytes) / PAGE * PAGE;
    if end > aligned {
        // SAFETY: the range lies inside our own allocation; madvise only changes how the
        // kernel backs it, and failure (e.g. THP disabled) is harmless, so the result is ignored.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, end - aligned, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages<T>(_: &mut [MaybeUninit<T>]) {}

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
