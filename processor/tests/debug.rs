//! The debugger's recording against the live execution: at every step, the state rebuilt from
//! the recording (stack with overflow, memory, secrets read, cycle) equals the VM's own.

use std::collections::BTreeMap;

use distaff_air::Word;
use distaff_math::Felt;
use distaff_processor::debug::{execute_observed, record, Observer, State, Step};
use distaff_processor::{execute, ExecutionError, ProgramInputs, ProgramPoint, Vm};

/// Takes the whole state at each point a recording keeps.
#[derive(Default)]
struct Live {
    states: Vec<State>,
    afters: usize,
}

impl Live {
    fn take(&mut self, vm: &Vm, step: Step, secrets: usize) {
        self.states.push(State {
            step,
            cycle: vm.cycle,
            stack: vm.stack_values(),
            memory: vm.memory.clone(),
            secrets_read: secrets - vm.secrets_left().len(),
            advice: vm.advice_front(),
        });
    }
}

struct Watch<'a>(&'a mut Live, usize);

impl Observer for Watch<'_> {
    fn before(&mut self, vm: &Vm, point: ProgramPoint) {
        let step = match point {
            ProgramPoint::Instruction(i) => Step::Instruction(i),
            ProgramPoint::Condition(c) => Step::Condition(c),
        };
        self.0.take(vm, step, self.1);
    }
    fn after(&mut self, vm: &Vm, point: ProgramPoint) {
        self.0.afters += 1;
        if let ProgramPoint::Condition(c) = point {
            self.0.take(vm, Step::BlockEnd(c), self.1);
        }
    }
}

fn felts(v: &[u64]) -> Vec<Felt> {
    v.iter().map(|x| Felt::new(*x)).collect()
}

/// Records `source` and compares every step with the live states; returns the recording's
/// steps and its error.
fn check(
    source: &str,
    public: &[u64],
    secret: &[u64],
    memory: Vec<(u32, Word)>,
) -> (Vec<Step>, Option<ExecutionError>) {
    let inputs = ProgramInputs::new(felts(public), felts(secret)).unwrap().with_memory(memory).unwrap();
    check_inputs(source, &inputs)
}

/// [`check`] with any inputs.
fn check_inputs(source: &str, inputs: &ProgramInputs) -> (Vec<Step>, Option<ExecutionError>) {
    let program = distaff_assembly::assemble(source).expect("assembles");
    let inputs = inputs.clone();
    let recording = record(&program, &inputs);
    let mut live = Live::default();
    let result = execute_observed(&program, &inputs, &mut Watch(&mut live, inputs.secret().len()));
    assert_eq!(result.as_ref().err(), recording.error(), "{source}");
    assert_eq!(result.as_ref().ok(), execute(&program, &inputs).as_ref().ok());
    // a last End step, unless an instruction failed
    let ended = result.as_ref().err().is_none_or(|e| e.point().is_none()) as usize;
    assert_eq!(recording.len(), live.states.len() + ended, "{source}");
    for (i, want) in live.states.iter().enumerate() {
        let got = recording.state(i).unwrap();
        assert_eq!(&got, want, "{source}: step {i}");
        assert_eq!(recording.stack_top(i, 3), want.stack.iter().take(3).copied().collect::<Vec<_>>());
    }
    if let Ok(out) = &result {
        let last = recording.state(recording.len() - 1).unwrap();
        assert_eq!(last.step, Step::End);
        assert_eq!(last.stack, out.stack);
        assert_eq!(last.cycle, out.cycles);
    }
    let steps = (0..recording.len()).map(|i| recording.step(i).unwrap()).collect();
    (steps, recording.error().cloned())
}

#[test]
fn every_step_of_a_deep_stack_matches_the_live_execution() {
    // 41 values spill 25 to the overflow, which comes back in order
    let source = "begin push.0 repeat.40 dup push.1 add end repeat.40 push.2 mul add end end";
    let (steps, error) = check(source, &[], &[], vec![]);
    assert!(error.is_none());
    assert_eq!(steps.len(), 1 + 120 + 120 + 1);
}

#[test]
fn overflow_that_shrinks_and_grows_again_is_rebuilt_at_every_step() {
    // the overflow goes up, down and up with different values: the persistent stack must not
    // reuse a node that was popped
    let source = "begin repeat.20 push.1 end repeat.6 drop end repeat.6 push.7 end \
                  repeat.10 drop end repeat.3 pad end repeat.13 drop end end";
    let (_, error) = check(source, &[5, 6], &[], vec![]);
    assert!(error.is_none());
}

#[test]
fn memory_secrets_and_control_flow_are_rebuilt_at_every_step() {
    let source = "begin read read mem_store.3 push.9 mem_store.5 \
                  push.3 push.1 while.true push.1 sub dup mem_load.3 add mem_store.3 dup push.0 neq end drop \
                  drop if.true push.1 else push.2 end push.0 push.0 push.0 push.0 mem_loadw.100 \
                  push.0 push.0 push.0 push.0 push.0 push.0 push.0 push.0 hperm hperm dropw dropw dropw end";
    let memory = vec![(100, [Felt::new(1), Felt::new(2), Felt::new(3), Felt::new(4)])];
    let (steps, error) = check(source, &[1], &[11, 12], memory);
    assert!(error.is_none(), "{error:?}");
    assert!(steps.contains(&Step::BlockEnd(0)) && steps.contains(&Step::BlockEnd(1)));
    assert_eq!(steps.iter().filter(|s| **s == Step::Condition(0)).count(), 4);
}

#[test]
fn a_failing_execution_is_recorded_up_to_the_step_that_failed() {
    let source = "begin push.1 push.2 add push.4 assert_eq end";
    let (steps, error) = check(source, &[], &[], vec![]);
    assert!(matches!(error, Some(ExecutionError::AssertionFailed { .. })));
    // push push add push eq assert: the last step is the assert that failed
    assert_eq!(steps.last(), Some(&Step::Instruction(5)));
    // an error of no instruction: the End step holds the state it stopped in
    let source = "begin repeat.17 push.1 end end";
    let program = distaff_assembly::assemble(source).unwrap();
    let recording = record(&program, &ProgramInputs::new(vec![], vec![]).unwrap());
    assert!(matches!(recording.error(), Some(ExecutionError::TooDeepAtEnd(17))));
    let last = recording.state(recording.len() - 1).unwrap();
    assert_eq!((last.step, last.stack.len()), (Step::End, 17));
    let (steps, error) = check("begin read read end", &[], &[7], vec![]);
    assert!(matches!(error, Some(ExecutionError::SecretInputsExhausted { .. })));
    assert_eq!(steps, vec![Step::Instruction(0), Step::Instruction(1)]);
}

#[test]
fn observing_sees_every_instruction_before_and_after() {
    let program = distaff_assembly::assemble("begin push.1 push.2 add drop end").unwrap();
    let inputs = ProgramInputs::new(vec![], vec![]).unwrap();
    let mut live = Live::default();
    execute_observed(&program, &inputs, &mut Watch(&mut live, 0)).unwrap();
    assert_eq!(live.states.len(), 4);
    assert_eq!(live.afters, 4);
    let stacks: Vec<Vec<Felt>> = live.states.iter().map(|s| s.stack.clone()).collect();
    assert_eq!(stacks, vec![felts(&[]), felts(&[1]), felts(&[2, 1]), felts(&[3])]);
    let _: BTreeMap<u32, Word> = live.states[0].memory.clone();
}

#[test]
fn values_hints_put_in_front_of_the_tape_are_recorded_at_every_step() {
    use distaff_processor::advice::AdviceMap;
    let key = [1u64, 2, 3, 4].map(Felt::new);
    let map = AdviceMap::new(vec![(key, felts(&[10, 20, 30]))]).unwrap();
    let inputs = ProgramInputs::new(key.to_vec(), felts(&[99, 98])).unwrap().with_advice_map(map);
    // values in front of the inputs' secrets, pushed again on top of some not read yet (the
    // same value 10 read, then pushed again), then read in a loop and after it
    let source = "begin adv.push_mapval read drop adv.push_mapval push.1 while.true read drop push.0 end \
                  read read read read read read end";
    let (_, error) = check_inputs(source, &inputs);
    assert_eq!(error, None);
    let program = distaff_assembly::assemble(source).unwrap();
    let recording = record(&program, &inputs);
    // before the first read: the map's three values come first
    let first_read = (0..recording.len()).find(|i| recording.step(*i) == Some(Step::Instruction(0))).unwrap();
    assert_eq!(recording.state(first_read).unwrap().advice, felts(&[10, 20, 30]));
}
