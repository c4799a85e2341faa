//! `distaff debug`: a step debugger over a recorded execution, its `--trace` mode, and the
//! `debug.*` decorators that `run` and `debug` print.
//!
//! The debugger records the whole execution first ([`distaff_processor::debug::record`]), so
//! that stepping back is as cheap as stepping forward: every command moves a cursor over the
//! recorded steps. Commands come one per line from standard input, which makes a session
//! scriptable and testable (`printf 'break 7\ncontinue\nstack\n' | distaff debug prog.dasm`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use distaff_air::Word;
use distaff_assembly::{Anchor, CallFrame, Debug, Decorator, Location};
use distaff_math::Felt;
use distaff_processor::debug::{execute_observed, record, Observer, Recording, Step};
use distaff_processor::{ProgramPoint, Vm};

use crate::commands::{load_inputs, load_program, program_inputs, Loaded};
use crate::CliError;

/// How many stack values a stop and a `--trace` line show (the `stack` command shows all).
const SHOWN: usize = 16;

fn values(v: &[Felt]) -> String {
    v.iter().map(|x| x.as_int().to_string()).collect::<Vec<_>>().join(" ")
}

/// The stack's top values, then how many more there are.
fn top(stack: &[Felt]) -> String {
    let mut text = values(&stack[..stack.len().min(SHOWN)]);
    if stack.len() > SHOWN {
        text += &format!(" … ({} more)", stack.len() - SHOWN);
    }
    text
}

/// `text` after a space, unless it is empty (no line ends in a space).
fn spaced(text: String) -> String {
    match text.is_empty() {
        true => text,
        false => format!(" {text}"),
    }
}

/// What a decorator prints, on a state.
pub(crate) fn render_decorator(d: &Decorator, cycle: usize, stack: &[Felt], memory: &BTreeMap<u32, Word>) -> String {
    let (line, column) = d.at;
    let mut out = format!("{} (line {line}, column {column}; cycle {cycle}):", d.debug);
    match d.debug {
        Debug::Stack(None) => out += &format!(" depth {}:{}\n", stack.len(), spaced(values(stack))),
        Debug::Stack(Some(n)) => {
            let shown = values(&stack[..n.min(stack.len())]);
            out += &format!(" top {} of {}:{}\n", n.min(stack.len()), stack.len(), spaced(shown))
        }
        Debug::Memory(range) => out += &memory_text(range, memory),
    }
    out
}

/// The memory, or the words from A to B, after a heading's colon.
fn memory_text(range: Option<(u32, u32)>, memory: &BTreeMap<u32, Word>) -> String {
    let mut out = String::new();
    match range {
        None if memory.is_empty() => out += " every word is zero\n",
        None => {
            out += &format!(" {} word{} written or given\n", memory.len(), if memory.len() == 1 { "" } else { "s" });
            for (a, w) in memory {
                out += &format!("  m[{a}] = {}\n", values(w));
            }
        }
        Some((a, b)) => {
            out += "\n";
            for addr in a..=b {
                let w = memory.get(&addr).copied().unwrap_or([Felt::new(0); 4]);
                out += &format!("  m[{addr}] = {}\n", values(&w));
            }
        }
    }
    out
}

/// Whether two steps' call frames (outermost first) are in the same call at `level`.
fn same_call(a: &[CallFrame], b: &[CallFrame], level: usize) -> bool {
    a.len() > level && b.len() > level && a[..=level] == b[..=level]
}

fn by_anchor(decorators: &[Decorator]) -> HashMap<Anchor, Vec<&Decorator>> {
    let mut map: HashMap<Anchor, Vec<&Decorator>> = HashMap::new();
    for d in decorators {
        map.entry(d.anchor).or_default().push(d);
    }
    map
}

fn before(point: ProgramPoint) -> Anchor {
    match point {
        ProgramPoint::Instruction(i) => Anchor::BeforeInstruction(i),
        ProgramPoint::Condition(c) => Anchor::BeforeCondition(c),
    }
}

fn after(point: ProgramPoint) -> Anchor {
    match point {
        ProgramPoint::Instruction(i) => Anchor::AfterInstruction(i),
        ProgramPoint::Condition(c) => Anchor::AfterBlock(c),
    }
}

/// Prints decorators as execution passes them (to `out`), and with `trace`, one line per
/// instruction and condition (to `lines`).
pub(crate) struct Live<'a, D: Write, T: Write> {
    loaded: &'a Loaded,
    words: Words<'a>,
    decorators: HashMap<Anchor, Vec<&'a Decorator>>,
    out: D,
    trace: Option<T>,
    /// The first write error (the execution goes on; the command reports it).
    error: Option<std::io::Error>,
}

impl<'a, D: Write, T: Write> Live<'a, D, T> {
    pub(crate) fn new(loaded: &'a Loaded, out: D, trace: Option<T>) -> Self {
        Live { loaded, words: words(loaded), decorators: by_anchor(loaded.map.decorators()), out, trace, error: None }
    }

    fn decorate(&mut self, anchor: Anchor, vm: &Vm) {
        let Some(list) = self.decorators.get(&anchor) else { return };
        // the trace lines so far come first (when both streams go to one place)
        if let Some(Err(e)) = self.trace.as_mut().map(|t| t.flush()) {
            self.error.get_or_insert(e);
        }
        let stack = vm.stack_values();
        for d in list {
            let text = render_decorator(d, vm.cycle, &stack, &vm.memory);
            if let Err(e) = self.out.write_all(text.as_bytes()) {
                self.error.get_or_insert(e);
            }
        }
    }

    /// The write error, if any; flushes.
    pub(crate) fn finish(mut self) -> Result<(), std::io::Error> {
        let flushed = self.out.flush().and_then(|()| self.trace.as_mut().map_or(Ok(()), |t| t.flush()));
        match self.error.take() {
            Some(e) => Err(e),
            None => flushed,
        }
    }
}

impl<D: Write, T: Write> Observer for Live<'_, D, T> {
    fn before(&mut self, vm: &Vm, point: ProgramPoint) {
        self.decorate(before(point), vm);
        if let (Some(lines), None) = (self.trace.as_mut(), &self.error) {
            let (at, op) = describe(self.loaded, &self.words, point);
            let (line, column) = at.unwrap_or((0, 0));
            let stack = vm.stack_values();
            let text = format!("{}\t{line}:{column}\t{op}\t{}\t{}\n", vm.cycle, stack.len(), top(&stack));
            if let Err(e) = lines.write_all(text.as_bytes()) {
                self.error.get_or_insert(e);
            }
        }
    }

    fn after(&mut self, vm: &Vm, point: ProgramPoint) {
        self.decorate(after(point), vm);
    }
}

/// The words of a program's source by location, read once ([`distaff_assembly::words`]).
type Words<'a> = HashMap<Location, &'a str>;

fn words(loaded: &Loaded) -> Words<'_> {
    distaff_assembly::words(&loaded.source).collect()
}

/// The source location of an instruction or condition and what is written there: the word as
/// written, and in brackets the VM instruction it runs when that differs (`assert_eq [eq]`).
fn describe(loaded: &Loaded, words: &Words, point: ProgramPoint) -> (Option<Location>, String) {
    let (at, part) = match point {
        ProgramPoint::Instruction(i) => {
            // an instruction of a composite one (`assert_eq` is `eq assert`): which part
            let part = loaded.map.written(i).and(loaded.map.instruction_kind(i));
            (loaded.map.instruction(i), part.map(|k| k.to_string()))
        }
        ProgramPoint::Condition(c) => (loaded.map.condition(c), None),
    };
    let word = at.and_then(|at| words.get(&at).copied()).unwrap_or_default();
    let op = match (part, point) {
        (Some(k), _) => format!("{word} [{k}]"),
        // the noop of an empty block, which is located at the block's opener
        (None, ProgramPoint::Instruction(i))
            if loaded.map.instruction_kind(i) == Some(distaff_air::Instruction::Noop) && word != "noop" =>
        {
            format!("{word} [noop of an empty block]")
        }
        (None, _) => word.to_string(),
    };
    (at, op)
}

/// `distaff debug --trace`: runs the program, printing one line per instruction and condition.
pub fn trace(program: &Path, inputs: Option<&Path>) -> Result<(), CliError> {
    let loaded = load_program(program)?;
    let inputs = program_inputs(load_inputs(inputs)?)?;
    let stdout = std::io::stdout().lock();
    let io = |source| CliError::Io { path: "<stdout>".into(), source };
    let mut live = Live::new(&loaded, std::io::stderr(), Some(std::io::BufWriter::new(stdout)));
    let result = execute_observed(&loaded.program, &inputs, &mut live);
    if let (Ok(out), Some(lines), None) = (&result, live.trace.as_mut(), &live.error) {
        let text = format!("{}\tend\thalt\t{}\t{}\n", out.cycles, out.stack.len(), top(&out.stack));
        if let Err(e) = lines.write_all(text.as_bytes()) {
            live.error = Some(e);
        }
    }
    match live.finish() {
        // the reader stopped reading (`| head`): not an error
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.map_err(io)?,
    }
    result.map(|_| ()).map_err(|e| loaded.execution_error(e))
}

/// `distaff debug`: reads commands from standard input until it ends or `quit`.
pub fn debug(program: &Path, inputs: Option<&Path>) -> Result<(), CliError> {
    if program == Path::new("-") {
        return Err(CliError::Usage("debug reads its commands from standard input: give the program as a file".into()));
    }
    let loaded = load_program(program)?;
    let inputs = program_inputs(load_inputs(inputs)?)?;
    let recording = record(&loaded.program, &inputs);
    let stdin = std::io::stdin();
    let prompt = stdin.is_terminal();
    let mut out = std::io::stdout().lock();
    let io = |source| CliError::Io { path: "<stdout>".into(), source };
    let mut session = Session::new(&loaded, recording);
    let result = session_loop(&mut session, &mut out, prompt);
    match result {
        // the reader stopped reading (`| head`): not an error
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            Err(CliError::Io { path: "<stdin>".into(), source: e })
        }
        other => other.map_err(io),
    }
}

/// Runs a session: the start, then one command per line of standard input.
fn session_loop(session: &mut Session, out: &mut impl Write, prompt: bool) -> std::io::Result<()> {
    session.start(out)?;
    let mut last = String::new();
    let mut lines = std::io::stdin().lock().lines();
    loop {
        if prompt {
            write!(out, "(distaff) ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        // (a line that is not UTF-8 is reported as the input's error)
        let line = line?;
        // an empty line repeats the last command
        let command = if line.trim().is_empty() { last.clone() } else { line.trim().to_string() };
        if command.is_empty() {
            continue;
        }
        let (keep_going, done) = session.command(&command, out)?;
        if !keep_going {
            break;
        }
        // (an empty line repeats the last command that did something)
        if done {
            last = command;
        }
    }
    out.flush()
}

const HELP: &str = "\
commands (an empty line repeats the last one):
  step [N]      (s)   run to the next instruction or condition, N times
  next [N]      (n)   as step, but over procedure calls
  finish        (f)   run until the current procedure returns
  continue      (c)   run to the next breakpoint, or to the end
  back [N]      (bs)  step back, N times
  rcontinue     (rc)  run back to the previous breakpoint, or to the start
  goto CYCLE          go to the first instruction at or after a cycle
  break LINE    (b)   stop at every instruction on a source line (and at every entry
                      into a procedure called there)
  delete [LINE] (d)   remove one breakpoint, or all of them
  breakpoints         list the breakpoints
  where         (w)   the current instruction, its source and the exec calls that led to it
  stack         (p)   the whole stack, top first (overflow included)
  mem [A [B]]   (m)   the memory: every word written or given, the word at A, or A to B
  secrets [N]         the secret inputs not read yet (the next N, 16 by default)
  cycle               the current cycle
  help          (h)   this list
  quit          (q)   leave
";

/// A debugging session: a cursor over the recorded steps.
struct Session<'a> {
    loaded: &'a Loaded,
    words: Words<'a>,
    rec: Recording,
    /// The current step.
    pos: usize,
    breakpoints: BTreeSet<usize>,
    decorators: HashMap<Anchor, Vec<&'a Decorator>>,
    /// Source lines that hold an instruction or a condition.
    code_lines: BTreeSet<usize>,
}

impl<'a> Session<'a> {
    fn new(loaded: &'a Loaded, rec: Recording) -> Self {
        let map = &loaded.map;
        let instructions = (0..).map_while(|i| map.instruction(i));
        let conditions = (0..).map_while(|c| map.condition(c));
        let calls = (0..).map_while(|i| map.instruction(i).map(|_| map.instruction_calls(i))).flatten();
        let code_lines = instructions.chain(conditions).chain(calls).map(|(l, _)| l).collect();
        Session {
            loaded,
            words: words(loaded),
            rec,
            pos: 0,
            breakpoints: BTreeSet::new(),
            decorators: by_anchor(map.decorators()),
            code_lines,
        }
    }

    fn point(&self, i: usize) -> Option<ProgramPoint> {
        self.rec.step(i).and_then(|s| s.point())
    }

    /// Where step `i` stops the cursor: instructions, conditions and the end (not block ends).
    fn is_stop(&self, i: usize) -> bool {
        !matches!(self.rec.step(i), Some(Step::BlockEnd(_)) | None)
    }

    fn location(&self, i: usize) -> Option<Location> {
        self.point(i).and_then(|p| describe(self.loaded, &self.words, p).0)
    }

    /// The next step at which the cursor can stop.
    fn next_stop(&self) -> Option<usize> {
        (self.pos + 1..self.rec.len()).find(|j| self.is_stop(*j))
    }

    /// The `exec` calls that led to step `i`, outermost first.
    fn frames(&self, i: usize) -> Vec<CallFrame> {
        match self.point(i) {
            Some(ProgramPoint::Instruction(n)) => self.loaded.map.instruction_frames(n),
            Some(ProgramPoint::Condition(c)) => self.loaded.map.condition_frames(c),
            None => Vec::new(),
        }
    }

    /// Whether step `i` is on a breakpoint's line, or is the first step of a call made from one.
    fn at_breakpoint(&self, i: usize) -> bool {
        if self.breakpoints.is_empty() {
            return false;
        }
        if self.location(i).is_some_and(|(line, _)| self.breakpoints.contains(&line)) {
            return true;
        }
        let previous = (0..i).rev().find(|j| self.is_stop(*j)).map(|j| self.frames(j)).unwrap_or_default();
        let frames = self.frames(i);
        (0..frames.len()).any(|k| self.breakpoints.contains(&frames[k].at.0) && !same_call(&frames, &previous, k))
    }

    /// Prints the decorators passed going from step `j` to step `j + 1`.
    fn decorate(&self, j: usize, out: &mut impl Write) -> std::io::Result<()> {
        let mut fired: Vec<(&Decorator, usize)> = Vec::new();
        if let Some(ProgramPoint::Instruction(i)) = self.point(j) {
            let cycles = self.loaded.map.instruction_kind(i).map_or(0, |k| k.cycles());
            let cycle = self.rec.cycle(j).unwrap_or(0) + cycles;
            for d in self.decorators.get(&Anchor::AfterInstruction(i)).into_iter().flatten() {
                fired.push((d, cycle));
            }
        }
        let anchor = match self.rec.step(j + 1) {
            Some(Step::Instruction(i)) => Some(Anchor::BeforeInstruction(i)),
            Some(Step::Condition(c)) => Some(Anchor::BeforeCondition(c)),
            Some(Step::BlockEnd(c)) => Some(Anchor::AfterBlock(c)),
            Some(Step::End) | None => None,
        };
        let cycle = self.rec.cycle(j + 1).unwrap_or(0);
        for d in anchor.and_then(|a| self.decorators.get(&a)).into_iter().flatten() {
            fired.push((d, cycle));
        }
        if fired.is_empty() {
            return Ok(());
        }
        let Some(state) = self.rec.state(j + 1) else { return Ok(()) };
        for (d, cycle) in fired {
            out.write_all(render_decorator(d, cycle, &state.stack, &state.memory).as_bytes())?;
        }
        Ok(())
    }

    /// Moves forward, printing the decorators passed, to the next stop for which `stop` holds
    /// (or the last step).
    fn forward(&mut self, out: &mut impl Write, stop: impl Fn(&Self, usize) -> bool) -> std::io::Result<()> {
        let mut j = self.pos;
        while j + 1 < self.rec.len() {
            self.decorate(j, out)?;
            j += 1;
            if self.is_stop(j) && stop(self, j) {
                break;
            }
        }
        self.pos = j;
        Ok(())
    }

    /// Moves back to the previous stop for which `stop` holds (or the first step).
    fn backward(&mut self, stop: impl Fn(&Self, usize) -> bool) {
        let mut j = self.pos;
        while j > 0 {
            j -= 1;
            if self.is_stop(j) && stop(self, j) {
                break;
            }
        }
        self.pos = j;
    }

    fn at_end(&self) -> bool {
        self.pos + 1 >= self.rec.len()
    }

    fn start(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        let steps = (0..self.rec.len()).filter(|j| self.is_stop(*j)).count();
        writeln!(
            out,
            "{}: {} step{} recorded{}; type 'help' for the commands",
            self.loaded.path,
            steps,
            if steps == 1 { "" } else { "s" },
            if self.rec.error().is_some() { ", up to the failure" } else { "" }
        )?;
        if self.rec.is_empty() {
            if let Some(e) = self.rec.error() {
                writeln!(out, "the execution fails before its first instruction: {e}")?;
            }
            return Ok(());
        }
        if let Some(ds) = self.point(0).and_then(|p| self.decorators.get(&before(p))) {
            if let Some(state) = self.rec.state(0) {
                for d in ds {
                    out.write_all(render_decorator(d, state.cycle, &state.stack, &state.memory).as_bytes())?;
                }
            }
        }
        if !self.is_stop(0) {
            self.forward(out, |_, _| true)?;
        }
        self.show(out)
    }

    /// Prints where the cursor is: cycle, location with a caret, the top of the stack; at the
    /// end, the final stack; at the step that failed, the error.
    fn show(&self, out: &mut impl Write) -> std::io::Result<()> {
        let Some(state) = self.rec.state(self.pos) else { return Ok(()) };
        match (state.step.point(), self.at_end(), self.rec.error()) {
            (None, _, error) => {
                match error {
                    None => writeln!(out, "halted at cycle {}", state.cycle)?,
                    Some(e) => writeln!(out, "the execution stops at cycle {}: {e}", state.cycle)?,
                }
                writeln!(out, "the final stack ({}):{}", state.stack.len(), spaced(top(&state.stack)))?;
            }
            (Some(point), at_end, error) => {
                let (at, op) = describe(self.loaded, &self.words, point);
                let (line, column) = at.unwrap_or((0, 0));
                writeln!(out, "cycle {}, line {line}, column {column}: {op}", state.cycle)?;
                if at.is_some() {
                    writeln!(out, "{}", distaff_assembly::source_snippet(&self.loaded.source, (line, column)))?;
                }
                writeln!(out, "stack ({}):{}", state.stack.len(), spaced(top(&state.stack)))?;
                if let (true, Some(e)) = (at_end, error) {
                    let message = match self.loaded.execution_error(e.clone()) {
                        CliError::ExecutionAt(located) => located.message,
                        _ => e.to_string(),
                    };
                    writeln!(out, "the execution fails here: {message}")?;
                }
            }
        }
        Ok(())
    }

    fn count(arg: Option<&str>) -> Result<usize, String> {
        match arg {
            None => Ok(1),
            Some(a) => {
                a.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| format!("'{a}' is not a count (1 or more)"))
            }
        }
    }

    fn number<T: std::str::FromStr>(arg: &str, what: &str) -> Result<T, String> {
        arg.parse().map_err(|_| format!("'{arg}' is not {what}"))
    }

    /// Runs one command: whether to go on, and whether it did what it was asked.
    fn command(&mut self, line: &str, out: &mut impl Write) -> std::io::Result<(bool, bool)> {
        let mut words = line.split_whitespace();
        let name = words.next().unwrap_or_default();
        let args: Vec<&str> = words.collect();
        match self.run(name, &args, out) {
            Ok(keep_going) => Ok((keep_going, true)),
            Err(Failure::Io(e)) => Err(e),
            Err(Failure::Message(m)) => {
                writeln!(out, "{m}")?;
                Ok((true, false))
            }
        }
    }

    fn run(&mut self, name: &str, args: &[&str], out: &mut impl Write) -> Result<bool, Failure> {
        let too_many = |n: usize| -> Result<(), Failure> {
            if args.len() > n {
                let most = match n {
                    0 => "no argument".to_string(),
                    1 => "at most 1 argument".to_string(),
                    n => format!("at most {n} arguments"),
                };
                return Err(Failure::Message(format!("'{name}' takes {most}")));
            }
            Ok(())
        };
        let moving = matches!(name, "s" | "step" | "n" | "next" | "f" | "finish" | "c" | "continue");
        if moving && self.at_end() && !self.rec.is_empty() {
            let what = match (self.rec.error(), self.rec.step(self.pos)) {
                (None, _) => "the program has halted",
                (Some(_), Some(Step::End)) => "the execution has stopped",
                (Some(_), _) => "the execution fails at this step",
            };
            return Err(Failure::Message(format!("{what}; 'back' or 'rc' to go back")));
        }
        match name {
            "s" | "step" | "n" | "next" => {
                too_many(1)?;
                let over = matches!(name, "n" | "next");
                for _ in 0..Self::count(args.first().copied())? {
                    let here = self.frames(self.pos);
                    let d = here.len();
                    // the call `next` steps over: the one the next step enters, if it enters one
                    let entered = self.next_stop().map(|j| self.frames(j)).filter(|f| f.len() > d);
                    self.forward(out, |s, j| {
                        let f = s.frames(j);
                        !over || f.len() <= d || entered.as_ref().is_none_or(|e| !same_call(&f, e, d))
                    })?;
                }
            }
            "f" | "finish" => {
                too_many(0)?;
                let here = self.frames(self.pos);
                let d = here.len();
                if d == 0 {
                    return Err(Failure::Message("not inside a procedure; 'continue' runs to the end".into()));
                }
                // out of this call: to the first step not in it
                self.forward(out, |s, j| !same_call(&s.frames(j), &here, d - 1))?;
            }
            "c" | "continue" => {
                too_many(0)?;
                self.forward(out, |s, j| s.at_breakpoint(j))?;
            }
            "bs" | "back" => {
                too_many(1)?;
                if !(0..self.pos).any(|j| self.is_stop(j)) {
                    return Err(Failure::Message("already at the first step".into()));
                }
                for _ in 0..Self::count(args.first().copied())? {
                    self.backward(|_, _| true);
                }
            }
            "rc" | "rcontinue" => {
                too_many(0)?;
                if !(0..self.pos).any(|j| self.is_stop(j)) {
                    return Err(Failure::Message("already at the first step".into()));
                }
                self.backward(|s, j| s.at_breakpoint(j));
            }
            "goto" => {
                too_many(1)?;
                let cycle: usize = Self::number(args.first().copied().unwrap_or_default(), "a cycle")?;
                // the first step at or after the cycle, wherever the cursor is
                let target =
                    (0..self.rec.len()).find(|j| self.is_stop(*j) && self.rec.cycle(*j).is_some_and(|c| c >= cycle));
                match target {
                    None => {
                        let end = self.rec.cycle(self.rec.len().saturating_sub(1)).unwrap_or(0);
                        return Err(Failure::Message(format!(
                            "the execution ends at cycle {end}, before cycle {cycle}"
                        )));
                    }
                    Some(j) if j <= self.pos => self.pos = j,
                    Some(j) => self.forward(out, |_, k| k >= j)?,
                }
            }
            "b" | "break" => {
                too_many(1)?;
                let line: usize = Self::number(args.first().copied().unwrap_or_default(), "a line number")?;
                if !self.code_lines.contains(&line) {
                    return Err(Failure::Message(format!("line {line} holds no instruction")));
                }
                let again = if self.breakpoints.insert(line) { "" } else { " (already set)" };
                writeln!(out, "breakpoint at line {line}{again}")?;
                return Ok(true);
            }
            "d" | "delete" => {
                too_many(1)?;
                match args.first() {
                    None => self.breakpoints.clear(),
                    Some(a) => {
                        let line: usize = Self::number(a, "a line number")?;
                        if !self.breakpoints.remove(&line) {
                            return Err(Failure::Message(format!("no breakpoint at line {line}")));
                        }
                    }
                }
                writeln!(
                    out,
                    "{} breakpoint{} left",
                    self.breakpoints.len(),
                    if self.breakpoints.len() == 1 { "" } else { "s" }
                )?;
                return Ok(true);
            }
            "breakpoints" => {
                too_many(0)?;
                let lines: Vec<String> = self.breakpoints.iter().map(|l| l.to_string()).collect();
                match lines.is_empty() {
                    true => writeln!(out, "no breakpoints")?,
                    false => writeln!(out, "breakpoints at lines {}", lines.join(", "))?,
                }
                return Ok(true);
            }
            "w" | "where" => {
                too_many(0)?;
                self.show(out)?;
                for (line, column) in self.frames(self.pos).iter().rev().map(|f| f.at) {
                    let name = self.words.get(&(line, column)).copied().unwrap_or_default();
                    writeln!(out, "called from line {line}, column {column}: {name}")?;
                }
                return Ok(true);
            }
            "p" | "stack" => {
                too_many(0)?;
                let stack = self.rec.state(self.pos).map(|s| s.stack).unwrap_or_default();
                writeln!(out, "stack ({}), top first:", stack.len())?;
                for (i, v) in stack.iter().enumerate() {
                    let place = if i < 16 { "" } else { " (overflow)" };
                    writeln!(out, "  {i:>3}: {}{place}", v.as_int())?;
                }
                return Ok(true);
            }
            "m" | "mem" => {
                too_many(2)?;
                let range = match args {
                    [] => None,
                    [a] => {
                        let a: u32 = Self::number(a, "an address (0 to 4294967295)")?;
                        Some((a, a))
                    }
                    [a, b, ..] => {
                        let a: u32 = Self::number(a, "an address (0 to 4294967295)")?;
                        let b: u32 = Self::number(b, "an address (0 to 4294967295)")?;
                        if a > b || b - a >= distaff_assembly::MAX_DEBUG_WORDS {
                            return Err(Failure::Message(format!(
                                "give A ≤ B, at most {} words apart",
                                distaff_assembly::MAX_DEBUG_WORDS
                            )));
                        }
                        Some((a, b))
                    }
                };
                if let Some(state) = self.rec.state(self.pos) {
                    write!(out, "memory at cycle {}:{}", state.cycle, memory_text(range, &state.memory))?;
                }
                return Ok(true);
            }
            "secrets" => {
                too_many(1)?;
                let shown = match args.first() {
                    None => SHOWN,
                    some => Self::count(some.copied())?,
                };
                let (read, advice) = self.rec.state(self.pos).map_or((0, Vec::new()), |s| (s.secrets_read, s.advice));
                let all = self.rec.secret();
                let from_inputs = &all[read.min(all.len())..];
                // the next `read`s take what hints put in front first
                let left: Vec<Felt> = advice.iter().chain(from_inputs).copied().collect();
                let more = match left.len() > shown {
                    true => format!(" … ({} more; 'secrets N' shows N)", left.len() - shown),
                    false => String::new(),
                };
                let next = values(&left[..left.len().min(shown)]);
                let hinted = match advice.len() {
                    0 => String::new(),
                    n => format!(", after {n} value{} from hints", if n == 1 { "" } else { "s" }),
                };
                writeln!(
                    out,
                    "{} of {} secret inputs left{hinted}{}",
                    from_inputs.len(),
                    all.len(),
                    match left.is_empty() {
                        true => String::new(),
                        false => format!(", next first: {next}{more}"),
                    }
                )?;
                return Ok(true);
            }
            "cycle" => {
                too_many(0)?;
                writeln!(out, "cycle {}", self.rec.cycle(self.pos).unwrap_or(0))?;
                return Ok(true);
            }
            "h" | "help" => {
                too_many(0)?;
                out.write_all(HELP.as_bytes())?;
                return Ok(true);
            }
            "q" | "quit" => {
                too_many(0)?;
                return Ok(false);
            }
            other => return Err(Failure::Message(format!("unknown command '{other}'; 'help' lists the commands"))),
        }
        self.show(out)?;
        Ok(true)
    }
}

/// Why a command did nothing: a message for the user, or output that cannot be written.
enum Failure {
    Message(String),
    Io(std::io::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Io(e)
    }
}

impl From<String> for Failure {
    fn from(m: String) -> Self {
        Failure::Message(m)
    }
}
