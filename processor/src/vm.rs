//! The interpreter shared by the execute-only and trace-building paths.

use distaff_air::layout::STACK_DEPTH;
use distaff_air::{Instruction, Program, MAX_PUBLIC_INPUTS};
use distaff_math::{Felt, FieldElement};

/// A program's inputs: public values (the initial stack, first value on top) and secret values
/// (consumed in order by `read`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramInputs {
    public: Vec<Felt>,
    secret: Vec<Felt>,
}

impl ProgramInputs {
    /// Checks and wraps the inputs: at most 16 public values.
    pub fn new(public: Vec<Felt>, secret: Vec<Felt>) -> Result<Self, ExecutionError> {
        if public.len() > MAX_PUBLIC_INPUTS {
            return Err(ExecutionError::TooManyPublicInputs(public.len()));
        }
        Ok(ProgramInputs { public, secret })
    }

    /// The public inputs (top of the initial stack first).
    pub fn public(&self) -> &[Felt] {
        &self.public
    }

    /// The secret inputs, in the order `read` consumes them.
    pub fn secret(&self) -> &[Felt] {
        &self.secret
    }
}

/// Why execution stopped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExecutionError {
    /// More public inputs than stack slots.
    #[error("{0} public inputs given, but the stack holds at most {MAX_PUBLIC_INPUTS}")]
    TooManyPublicInputs(usize),
    /// An instruction needs more values than the stack holds.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): stack underflow: it needs {needed} values but the stack holds {depth}")]
    StackUnderflow {
        /// Position of the instruction in the program (0-based).
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
        /// Values it needs.
        needed: usize,
        /// Values present.
        depth: usize,
    },
    /// The stack is full.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): stack overflow: the stack already holds {STACK_DEPTH} values")]
    StackOverflow {
        /// Position of the instruction.
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
    },
    /// `read` with no secret input left.
    #[error("instruction #{index} 'read' (cycle {cycle}): no secret input left (all {available} were read)")]
    SecretInputsExhausted {
        /// Position of the instruction.
        index: usize,
        /// Cycle at which it ran.
        cycle: usize,
        /// Number of secret inputs supplied.
        available: usize,
    },
    /// An assertion failed.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): assertion failed: {detail}")]
    AssertionFailed {
        /// Position of the instruction.
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
        /// What was found.
        detail: String,
    },
    /// A boolean operation got a value other than 0 or 1.
    #[error("instruction #{index} '{instruction}' (cycle {cycle}): operand {value} is not binary (0 or 1)")]
    NotBinary {
        /// Position of the instruction.
        index: usize,
        /// The instruction.
        instruction: Instruction,
        /// Cycle at which it ran.
        cycle: usize,
        /// The offending value.
        value: u64,
    },
    /// `inv` of zero.
    #[error("instruction #{index} 'inv' (cycle {cycle}): zero has no inverse")]
    InverseOfZero {
        /// Position of the instruction.
        index: usize,
        /// Cycle at which it ran.
        cycle: usize,
    },
}

/// The result of running a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutionOutput {
    /// The final stack, top first (exactly `depth` values).
    pub stack: Vec<Felt>,
    /// Cycles executed (program elements; `push` takes two).
    pub cycles: usize,
}

impl ExecutionOutput {
    /// The top `n` values of the final stack; slots below the stack's depth read as zero (as the
    /// AIR proves them to be).
    pub fn outputs(&self, n: usize) -> Vec<Felt> {
        (0..n).map(|i| self.stack.get(i).copied().unwrap_or(Felt::ZERO)).collect()
    }
}

/// The VM state: 16 addressable stack slots (zero below the depth) and the depth.
#[derive(Clone, Debug)]
pub struct Vm<'a> {
    /// Stack slots, top first; slots at or beyond `depth` are zero.
    pub stack: [Felt; STACK_DEPTH],
    /// Number of values on the stack.
    pub depth: usize,
    secret: &'a [Felt],
    next_secret: usize,
    /// Cycles executed so far.
    pub cycle: usize,
}

impl<'a> Vm<'a> {
    /// A VM whose stack holds the public inputs.
    pub fn new(inputs: &'a ProgramInputs) -> Self {
        let mut stack = [Felt::ZERO; STACK_DEPTH];
        stack[..inputs.public.len()].copy_from_slice(&inputs.public);
        Vm { stack, depth: inputs.public.len(), secret: &inputs.secret, next_secret: 0, cycle: 0 }
    }

    fn need(&self, index: usize, inst: Instruction, n: usize) -> Result<(), ExecutionError> {
        if self.depth < n {
            return Err(ExecutionError::StackUnderflow {
                index,
                instruction: inst,
                cycle: self.cycle,
                needed: n,
                depth: self.depth,
            });
        }
        Ok(())
    }

    fn room(&self, index: usize, inst: Instruction) -> Result<(), ExecutionError> {
        if self.depth >= STACK_DEPTH {
            return Err(ExecutionError::StackOverflow { index, instruction: inst, cycle: self.cycle });
        }
        Ok(())
    }

    fn binary(&self, index: usize, inst: Instruction, v: Felt) -> Result<(), ExecutionError> {
        if v != Felt::ZERO && v != Felt::ONE {
            return Err(ExecutionError::NotBinary { index, instruction: inst, cycle: self.cycle, value: v.as_int() });
        }
        Ok(())
    }

    fn push(&mut self, v: Felt) {
        self.stack.copy_within(0..STACK_DEPTH - 1, 1);
        self.stack[0] = v;
        self.depth += 1;
    }

    fn shift_left(&mut self, k: usize) {
        self.stack.copy_within(k.., 0);
        for s in &mut self.stack[STACK_DEPTH - k..] {
            *s = Felt::ZERO;
        }
        self.depth -= k;
    }

    /// Executes instruction `index` of the program; advances the cycle count by its cost.
    pub fn step(&mut self, index: usize, inst: Instruction) -> Result<(), ExecutionError> {
        use Instruction::*;
        let s = &self.stack;
        match inst {
            Noop => {}
            Push(v) => {
                self.room(index, inst)?;
                self.push(v);
            }
            Read => {
                self.room(index, inst)?;
                let v = *self.secret.get(self.next_secret).ok_or(ExecutionError::SecretInputsExhausted {
                    index,
                    cycle: self.cycle,
                    available: self.secret.len(),
                })?;
                self.next_secret += 1;
                self.push(v);
            }
            Add | Sub | Mul | And | Or | Eq => {
                self.need(index, inst, 2)?;
                let (b, a) = (s[0], s[1]);
                let r = match inst {
                    Add => a + b,
                    Sub => a - b,
                    Mul => a * b,
                    And | Or => {
                        self.binary(index, inst, a)?;
                        self.binary(index, inst, b)?;
                        if inst == And {
                            a * b
                        } else {
                            a + b - a * b
                        }
                    }
                    _ => Felt::from(a == b),
                };
                self.shift_left(1);
                self.stack[0] = r;
            }
            Neg => {
                self.need(index, inst, 1)?;
                self.stack[0] = -s[0];
            }
            Inv => {
                self.need(index, inst, 1)?;
                if s[0] == Felt::ZERO {
                    return Err(ExecutionError::InverseOfZero { index, cycle: self.cycle });
                }
                self.stack[0] = s[0].inv();
            }
            Not => {
                self.need(index, inst, 1)?;
                self.binary(index, inst, s[0])?;
                self.stack[0] = Felt::ONE - s[0];
            }
            Drop => {
                self.need(index, inst, 1)?;
                self.shift_left(1);
            }
            Assert => {
                self.need(index, inst, 1)?;
                if s[0] != Felt::ONE {
                    return Err(ExecutionError::AssertionFailed {
                        index,
                        instruction: inst,
                        cycle: self.cycle,
                        detail: format!("expected 1 on top of the stack, found {}", s[0].as_int()),
                    });
                }
                self.shift_left(1);
            }
            AssertEq => {
                self.need(index, inst, 2)?;
                if s[0] != s[1] {
                    return Err(ExecutionError::AssertionFailed {
                        index,
                        instruction: inst,
                        cycle: self.cycle,
                        detail: format!("{} != {}", s[1].as_int(), s[0].as_int()),
                    });
                }
                self.shift_left(2);
            }
            Dup(n) => {
                let n = n as usize;
                self.need(index, inst, n + 1)?;
                self.room(index, inst)?;
                let v = s[n];
                self.push(v);
            }
            Swap(n) => {
                let n = n as usize;
                self.need(index, inst, n + 1)?;
                self.stack.swap(0, n);
            }
            MovUp(n) => {
                let n = n as usize;
                self.need(index, inst, n + 1)?;
                self.stack[..=n].rotate_right(1);
            }
            MovDn(n) => {
                let n = n as usize;
                self.need(index, inst, n + 1)?;
                self.stack[..=n].rotate_left(1);
            }
        }
        self.cycle += inst.cycles();
        Ok(())
    }

    /// The final stack, top first.
    pub fn stack_values(&self) -> Vec<Felt> {
        self.stack[..self.depth].to_vec()
    }
}

/// Runs a program without recording a trace.
pub fn execute(program: &Program, inputs: &ProgramInputs) -> Result<ExecutionOutput, ExecutionError> {
    let mut vm = Vm::new(inputs);
    for (i, inst) in program.instructions().iter().enumerate() {
        vm.step(i, *inst)?;
    }
    Ok(ExecutionOutput { stack: vm.stack_values(), cycles: vm.cycle })
}
