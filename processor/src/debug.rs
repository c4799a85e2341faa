//! Looking inside an execution: live observation (for `debug.*` decorators) and a recording of
//! every step (for a debugger that steps forwards and backwards).
//!
//! Both watch the same points the interpreter passes: just before each instruction runs and
//! each `if.true`/`while.true` condition is popped, just after each instruction and each such
//! block ends. Neither changes the execution: what they see is what [`crate::execute`] and
//! [`crate::build_trace`] compute.
//!
//! A [`Recording`] keeps, per step, the cycle, the 16 stack slots and three counters (secrets
//! read, the overflow's top, memory writes so far): about 160 bytes a step. The overflow is a
//! persistent stack shared by all steps and memory a log of writes, so that any step's whole
//! state is rebuilt on demand and going back costs nothing to re-run.

use std::collections::BTreeMap;

use distaff_air::layout::STACK_DEPTH;
use distaff_air::{Program, Word};
use distaff_math::Felt;

use crate::vm::{execute_with, Cycle, Recorder, Vm};
use crate::{ExecutionError, ExecutionOutput, ProgramInputs, ProgramPoint};

/// Watches an execution as it runs ([`execute_observed`]).
pub trait Observer {
    /// Execution reached `point`: the instruction is about to run, or the condition is about to
    /// be popped; `vm` is the state it will see.
    fn before(&mut self, vm: &Vm, point: ProgramPoint);
    /// Execution left `point`: the instruction ran, or the `if.true` or `while.true` block of
    /// the condition ended; `vm` is the state after it.
    fn after(&mut self, vm: &Vm, point: ProgramPoint);
}

struct Observing<'o, O>(&'o mut O);

impl<O: Observer> Recorder for Observing<'_, O> {
    const RECORDS: bool = false;
    fn row(&mut self, _: &Vm, _: u8, _: u64, _: Felt, _: i8) {}
    fn cycle(&mut self, _: Cycle) {}
    fn before(&mut self, vm: &Vm, point: ProgramPoint) {
        self.0.before(vm, point);
    }
    fn after(&mut self, vm: &Vm, point: ProgramPoint) {
        self.0.after(vm, point);
    }
}

/// Executes `program` on `inputs` as [`crate::execute`] does, telling `observer` each point
/// it passes.
pub fn execute_observed<O: Observer>(
    program: &Program,
    inputs: &ProgramInputs,
    observer: &mut O,
) -> Result<ExecutionOutput, ExecutionError> {
    execute_with(program, inputs, &mut Observing(observer))
}

/// What happens at a step of a [`Recording`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The instruction with this static index is about to run.
    Instruction(usize),
    /// The condition of the `if.true` or `while.true` with this static index is about to be
    /// popped.
    Condition(usize),
    /// The `if.true` or `while.true` block of this condition has just ended.
    BlockEnd(usize),
    /// The program has halted, or stopped on an error of no instruction (the last step).
    End,
}

impl Step {
    /// The instruction or condition, for the steps that run one.
    pub fn point(&self) -> Option<ProgramPoint> {
        match self {
            Step::Instruction(i) => Some(ProgramPoint::Instruction(*i)),
            Step::Condition(c) => Some(ProgramPoint::Condition(*c)),
            Step::BlockEnd(_) | Step::End => None,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Snapshot {
    step: Step,
    cycle: u64,
    depth: u32,
    secrets_read: u32,
    /// The overflow's top node in [`Recording::overflow`], plus one (0: empty).
    overflow: u32,
    /// Memory writes made so far (a prefix of [`Recording::writes`]).
    writes: u32,
    /// The top node of the values hints put in front of the tape, in [`Recording::front`],
    /// plus one (0: none).
    front: u32,
    slots: [Felt; STACK_DEPTH],
}

/// The state of the VM at one step of a [`Recording`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// What happens at this step.
    pub step: Step,
    /// The cycle (trace row) the step runs at.
    pub cycle: usize,
    /// The whole stack, top first (the 16 slots, then the overflow).
    pub stack: Vec<Felt>,
    /// The memory: every word written or given (other addresses hold zero).
    pub memory: BTreeMap<u32, Word>,
    /// How many of the inputs' secret values were read before this step.
    pub secrets_read: usize,
    /// The values hints put at the front of the secret tape and not read yet, next first:
    /// the next `read`s take these before the inputs' secret values.
    pub advice: Vec<Felt>,
}

/// Every step of one execution, for a debugger: the state at any step is rebuilt on demand.
#[derive(Clone, Debug)]
pub struct Recording {
    steps: Vec<Snapshot>,
    /// The overflow table's values over time: (value, parent node + 1).
    overflow: Vec<(Felt, u32)>,
    /// The values hints put in front of the tape over time, a persistent stack like the
    /// overflow's: (value, parent node + 1).
    front: Vec<(Felt, u32)>,
    /// Every memory write, in order: (address, the word after it).
    writes: Vec<(u32, Word)>,
    initial_memory: Vec<(u32, Word)>,
    secret: Vec<Felt>,
    /// Why execution stopped early; its last step is the one that failed.
    error: Option<ExecutionError>,
}

struct StepRecorder {
    steps: Vec<Snapshot>,
    overflow: Vec<(Felt, u32)>,
    /// The current top node + 1 and the overflow's length it stands for.
    top: (u32, usize),
    front: Vec<(Felt, u32)>,
    /// The same for the values hints put in front of the tape.
    front_top: (u32, usize),
    writes: Vec<(u32, Word)>,
    seen_accesses: usize,
    secrets: usize,
}

/// Makes the persistent stack `nodes`, whose top is `top` (node + 1, length), hold the
/// `now_len` values `now(0)` (bottom) .. `now(now_len − 1)` (top). Between two steps the stack lost at most one value and then gained some (an
/// instruction pops the overflow or the tape's front once; hints push): pop while the top
/// differs from the value `now` holds there, then push the rest.
fn follow(nodes: &mut Vec<(Felt, u32)>, top: &mut (u32, usize), now_len: usize, now: impl Fn(usize) -> Felt) {
    let (mut node, mut len) = *top;
    while len > now_len || (len > 0 && nodes[node as usize - 1].0 != now(len - 1)) {
        node = nodes[node as usize - 1].1;
        len -= 1;
    }
    for i in len..now_len {
        nodes.push((now(i), node));
        node = nodes.len() as u32;
    }
    *top = (node, now_len);
}

impl StepRecorder {
    fn snapshot(&mut self, vm: &Vm, step: Step) {
        follow(&mut self.overflow, &mut self.top, vm.overflow.len(), |i| vm.overflow[i].0);
        let node = self.top.0;
        let front = vm.front();
        follow(&mut self.front, &mut self.front_top, front.len(), |i| front[i]);
        for access in &vm.accesses[self.seen_accesses..] {
            if access.write {
                self.writes.push((access.addr, access.word));
            }
        }
        self.seen_accesses = vm.accesses.len();
        self.steps.push(Snapshot {
            step,
            cycle: vm.cycle as u64,
            depth: vm.depth as u32,
            secrets_read: (self.secrets - vm.secrets_left().len()) as u32,
            overflow: node,
            writes: self.writes.len() as u32,
            front: self.front_top.0,
            slots: vm.stack,
        });
    }
}

impl Recorder for StepRecorder {
    const RECORDS: bool = false;
    fn row(&mut self, _: &Vm, _: u8, _: u64, _: Felt, _: i8) {}
    fn cycle(&mut self, _: Cycle) {}
    fn before(&mut self, vm: &Vm, point: ProgramPoint) {
        let step = match point {
            ProgramPoint::Instruction(i) => Step::Instruction(i),
            ProgramPoint::Condition(c) => Step::Condition(c),
        };
        self.snapshot(vm, step);
    }
    fn after(&mut self, vm: &Vm, point: ProgramPoint) {
        if let ProgramPoint::Condition(c) = point {
            self.snapshot(vm, Step::BlockEnd(c));
        }
    }
}

/// Executes `program` on `inputs` and records every step: one before each instruction and
/// condition, one after each `if.true`/`while.true` block, and, if the program halts, a last
/// [`Step::End`]. An execution that fails is recorded up to the step that failed, with its
/// error ([`Recording::error`]); an error of no instruction (the cycle limit, too many values
/// left at the end) is recorded at a last [`Step::End`].
pub fn record(program: &Program, inputs: &ProgramInputs) -> Recording {
    let mut rec = StepRecorder {
        steps: Vec::new(),
        overflow: Vec::new(),
        top: (0, 0),
        front: Vec::new(),
        front_top: (0, 0),
        writes: Vec::new(),
        seen_accesses: 0,
        secrets: inputs.secret().len(),
    };
    let mut vm = Vm::new(inputs);
    vm.record_accesses = true;
    let error = vm.run(program.root(), &mut rec).and_then(|()| vm.check_end()).err();
    // an error of no instruction (the cycle limit, too many values at the end) ends there
    if error.as_ref().is_none_or(|e| e.point().is_none()) {
        rec.snapshot(&vm, Step::End);
    }
    Recording {
        steps: rec.steps,
        overflow: rec.overflow,
        front: rec.front,
        writes: rec.writes,
        initial_memory: inputs.memory().to_vec(),
        secret: inputs.secret().to_vec(),
        error,
    }
}

impl Recording {
    /// Number of steps recorded.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether no step was recorded (an execution that failed before its first instruction).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// What happens at step `i`.
    pub fn step(&self, i: usize) -> Option<Step> {
        self.steps.get(i).map(|s| s.step)
    }

    /// The cycle of step `i`.
    pub fn cycle(&self, i: usize) -> Option<usize> {
        self.steps.get(i).map(|s| s.cycle as usize)
    }

    /// Why the execution stopped early, if it did (its last step is the one that failed, or
    /// [`Step::End`] for an error of no instruction).
    pub fn error(&self) -> Option<&ExecutionError> {
        self.error.as_ref()
    }

    /// The secret inputs, in the order `read` consumes them.
    pub fn secret(&self) -> &[Felt] {
        &self.secret
    }

    /// The top `n` stack values at step `i` (fewer if the stack holds fewer), without building
    /// the whole state.
    pub fn stack_top(&self, i: usize, n: usize) -> Vec<Felt> {
        let Some(s) = self.steps.get(i) else { return Vec::new() };
        let slots = (s.depth as usize).min(STACK_DEPTH).min(n);
        let mut values = s.slots[..slots].to_vec();
        let mut node = s.overflow;
        while values.len() < n.min(s.depth as usize) && node > 0 {
            let (v, parent) = self.overflow[node as usize - 1];
            values.push(v);
            node = parent;
        }
        values
    }

    /// The state at step `i`.
    pub fn state(&self, i: usize) -> Option<State> {
        let s = self.steps.get(i)?;
        let mut memory: BTreeMap<u32, Word> = self.initial_memory.iter().copied().collect();
        memory.extend(self.writes[..s.writes as usize].iter().copied());
        Some(State {
            step: s.step,
            cycle: s.cycle as usize,
            stack: self.stack_top(i, s.depth as usize),
            memory,
            secrets_read: s.secrets_read as usize,
            advice: {
                let (mut values, mut node) = (Vec::new(), s.front);
                while node > 0 {
                    let (v, parent) = self.front[node as usize - 1];
                    values.push(v);
                    node = parent;
                }
                values
            },
        })
    }
}
