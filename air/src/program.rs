//! Programs, their encoding as a stream of field elements, and their hash.
//!
//! A program (for now a straight-line sequence of instructions) is encoded as a stream of
//! field elements: one opcode per instruction, with `push.N` followed by the element `N`.
//! The **program hash** is `Rp64_256::hash_elements(stream)`: Rescue Prime with the element
//! count in the capacity and the elements absorbed eight at a time. Because the count is
//! hashed, `add` and `add noop` have different hashes, and because the trace absorbs exactly
//! this stream while executing it, a proof for one program never verifies against the hash of
//! another (see [`crate::constraints`] for the argument).

use alloc::vec::Vec;
use core::fmt;

use crate::opcodes;
use distaff_math::{Felt, StarkField, Word};
use winter_crypto::{hashers::Rp64_256, ElementHasher};

/// The largest program (in stream elements) we accept: 2^22. Its trace (2^23 rows) is about the
/// largest a 24 GiB machine can prove; larger programs are refused before any allocation.
pub const MAX_PROGRAM_ELEMENTS: usize = 1 << 22;

/// One VM instruction. See `docs/isa.md` for stack effects, cycle costs and failure conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instruction {
    /// Does nothing.
    Noop,
    /// Pushes a constant.
    Push(Felt),
    /// Pushes the next secret input.
    Read,
    /// `a b -> a+b`.
    Add,
    /// `a b -> a-b`.
    Sub,
    /// `a b -> a*b`.
    Mul,
    /// `a -> -a`.
    Neg,
    /// `a -> 1/a`; fails on 0.
    Inv,
    /// `a -> 1-a`; fails unless a is 0 or 1.
    Not,
    /// `a b -> a·b`; fails unless both are 0 or 1.
    And,
    /// `a b -> a+b−a·b`; fails unless both are 0 or 1.
    Or,
    /// `a b -> 1 if a = b else 0`.
    Eq,
    /// `a -> `.
    Drop,
    /// `a -> `; fails unless a = 1.
    Assert,
    /// `a b -> `; fails unless a = b.
    AssertEq,
    /// Copies slot N (0..=15) to the top.
    Dup(u8),
    /// Swaps the top with slot N (1..=15).
    Swap(u8),
    /// Moves slot N (1..=15) to the top.
    MovUp(u8),
    /// Moves the top down to slot N (1..=15).
    MovDn(u8),
}

impl Instruction {
    /// The opcode this instruction is encoded as.
    pub fn opcode(&self) -> u8 {
        use Instruction::*;
        match *self {
            Noop => opcodes::NOOP,
            Push(_) => opcodes::PUSH,
            Read => opcodes::READ,
            Add => opcodes::ADD,
            Sub => opcodes::SUB,
            Mul => opcodes::MUL,
            Neg => opcodes::NEG,
            Inv => opcodes::INV,
            Not => opcodes::NOT,
            And => opcodes::AND,
            Or => opcodes::OR,
            Eq => opcodes::EQ,
            Drop => opcodes::DROP,
            Assert => opcodes::ASSERT,
            AssertEq => opcodes::ASSERT_EQ,
            Dup(n) => opcodes::DUP + n,
            Swap(n) => opcodes::SWAP + n,
            MovUp(n) => opcodes::MOVUP + n,
            MovDn(n) => opcodes::MOVDN + n,
        }
    }

    /// Number of VM cycles (trace rows) the instruction takes.
    pub fn cycles(&self) -> usize {
        match self {
            Instruction::Push(_) => 2,
            _ => 1,
        }
    }

    /// Checks that the immediate (if any) is in range.
    pub fn validate(&self) -> Result<(), ProgramError> {
        use Instruction::*;
        match *self {
            Dup(n) if n > 15 => Err(ProgramError::BadImmediate { instruction: *self }),
            Swap(n) | MovUp(n) | MovDn(n) if n == 0 || n > 15 => Err(ProgramError::BadImmediate { instruction: *self }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Instruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Instruction::*;
        match self {
            Push(v) => write!(f, "push.{}", v.as_int()),
            Dup(n) => write!(f, "dup.{n}"),
            Swap(1) => write!(f, "swap"),
            Swap(n) => write!(f, "swap.{n}"),
            MovUp(n) => write!(f, "movup.{n}"),
            MovDn(n) => write!(f, "movdn.{n}"),
            other => f.write_str(opcodes::name(other.opcode())),
        }
    }
}

/// Why a program could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgramError {
    /// A program must do something.
    #[error("a program must contain at least one instruction")]
    Empty,
    /// Too large to prove.
    #[error("the program has {0} elements; at most {MAX_PROGRAM_ELEMENTS} are supported")]
    TooLarge(usize),
    /// An immediate is out of range.
    #[error("'{instruction}' has an immediate out of range")]
    BadImmediate {
        /// The offending instruction.
        instruction: Instruction,
    },
}

/// A straight-line Distaff program together with its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    instructions: Vec<Instruction>,
    hash: Word,
    num_elements: usize,
}

impl Program {
    /// Builds a program from its instructions, validating immediates and size.
    pub fn new(instructions: Vec<Instruction>) -> Result<Self, ProgramError> {
        if instructions.is_empty() {
            return Err(ProgramError::Empty);
        }
        let mut num_elements = 0usize;
        for inst in &instructions {
            inst.validate()?;
            num_elements += inst.cycles();
        }
        if num_elements > MAX_PROGRAM_ELEMENTS {
            return Err(ProgramError::TooLarge(num_elements));
        }
        let elements = encode(&instructions, num_elements);
        let hash = Rp64_256::hash_elements(&elements).into();
        Ok(Program { instructions, hash, num_elements })
    }

    /// The instructions, in execution order.
    pub fn instructions(&self) -> &[Instruction] {
        &self.instructions
    }

    /// The program hash (Rescue Prime `Rp64_256` digest of [`Program::elements`]).
    pub fn hash(&self) -> Word {
        self.hash
    }

    /// Number of elements in the encoded stream (= cycles of execution before halting).
    pub fn num_elements(&self) -> usize {
        self.num_elements
    }

    /// The program as the stream of field elements the trace absorbs.
    pub fn elements(&self) -> Vec<Felt> {
        encode(&self.instructions, self.num_elements)
    }
}

fn encode(instructions: &[Instruction], num_elements: usize) -> Vec<Felt> {
    let mut out = Vec::with_capacity(num_elements);
    for inst in instructions {
        out.push(Felt::from(inst.opcode()));
        if let Instruction::Push(v) = inst {
            out.push(*v);
        }
    }
    out
}

/// Formats a word as the lower-case hex string used for program hashes.
pub fn hash_to_hex(word: &Word) -> alloc::string::String {
    let bytes = distaff_math::word_to_hex(word);
    alloc::string::String::from_utf8_lossy(&bytes).into_owned()
}

#[allow(dead_code)]
fn _assert_modulus(_: Felt) -> u64 {
    Felt::MODULUS
}

#[cfg(test)]
mod tests {
    use super::*;
    use Instruction::*;

    #[test]
    fn hash_is_rp64_256_of_the_stream() {
        let p = Program::new(alloc::vec![Push(Felt::new(3)), Add]).unwrap();
        let stream = [Felt::from(opcodes::PUSH), Felt::new(3), Felt::from(opcodes::ADD)];
        let expected: Word = Rp64_256::hash_elements(&stream).into();
        assert_eq!(p.hash(), expected);
        assert_eq!(p.num_elements(), 3);
    }

    #[test]
    fn hash_changes_with_any_instruction() {
        let base = Program::new(alloc::vec![Add, Mul]).unwrap().hash();
        assert_ne!(base, Program::new(alloc::vec![Add, Sub]).unwrap().hash());
        assert_ne!(base, Program::new(alloc::vec![Add, Mul, Noop]).unwrap().hash());
        assert_ne!(
            Program::new(alloc::vec![Push(Felt::new(1))]).unwrap().hash(),
            Program::new(alloc::vec![Push(Felt::new(2))]).unwrap().hash()
        );
    }

    #[test]
    fn rejects_empty_and_bad_immediates() {
        assert_eq!(Program::new(alloc::vec![]), Err(ProgramError::Empty));
        assert!(Program::new(alloc::vec![Swap(0)]).is_err());
        assert!(Program::new(alloc::vec![Dup(16)]).is_err());
        assert!(Program::new(alloc::vec![MovDn(16)]).is_err());
    }
}
