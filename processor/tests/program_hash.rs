//! The processor's program hash (its packed Rescue Prime permutation) is the program's own, for
//! every kind of block; a permutation that is not Rescue Prime's is not used.

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
        // (two assemblies: a program keeps the hashes it computed first)
        let (a, b) = (assemble(src).unwrap(), assemble(src).unwrap());
        assert_eq!(distaff_processor::program_hash(&a), b.hash(), "{src}");
    }
}

/// A stand-in that is not Rescue Prime's permutation is not used, so it cannot leave a wrong
/// hash in the program's blocks.
#[test]
fn a_wrong_permutation_is_not_used() {
    fn wrong(state: &mut [distaff_math::Felt; 12]) {
        distaff_processor::rescue::apply_permutation(state);
        state[4] += distaff_math::Felt::new(1);
    }
    for src in PROGRAMS {
        let (a, b) = (assemble(src).unwrap(), assemble(src).unwrap());
        assert_eq!(a.hash_with(wrong), b.hash(), "{src}");
        assert_eq!(a.hash(), b.hash(), "{src}");
    }
}
