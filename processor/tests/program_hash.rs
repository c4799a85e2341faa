//! The processor's program hash (its packed Rescue Prime permutation) is the program's own, for
//! every kind of block, however deep; and whichever computes a block's hash first, the kept
//! hash is that one.

use distaff_assembly::assemble;

const PROGRAMS: [&str; 5] = [
    "begin push.1 push.2 add end",
    "begin repeat.1000 swap dup.1 add end end",
    "begin read if.true push.90 mul else push.100 mul end push.1 while.true push.1 sub dup push.0 eq not end end",
    "begin padw padw padw repeat.3 hperm end push.1 if.true hperm end end",
    "proc.sq dup mul end begin exec.sq exec.sq push.2 while.true push.1 sub dup if.true exec.sq end dup end end",
];

#[test]
fn the_packed_permutation_gives_the_program_s_hash() {
    for src in PROGRAMS {
        // (two assemblies: a program keeps the hash it computed first)
        let (a, b) = (assemble(src).unwrap(), assemble(src).unwrap());
        let fast = distaff_processor::program_hash(&a);
        assert_eq!(fast, b.hash(), "{src}");
        // once computed, either way of asking returns it
        assert_eq!(a.hash(), fast);
        assert_eq!(distaff_processor::program_hash(&b), fast);
    }
}
