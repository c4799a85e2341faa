//! Distaff assembly: text to [`Program`], with errors that point at line and column.
//!
//! ```text
//! # comments run from '#' to the end of the line
//! proc.square       # procedures come before 'begin' and are inlined where called
//!     dup mul
//! end
//! begin
//!     push.1 push.0x10 add      # immediates are decimal or 0x-hex, below p
//!     repeat.3 dup.1 mul end    # blocks repeat (expanded when assembled)
//!     exec.square
//!     read if.true              # pops the condition: 1 takes the first branch, 0 the second
//!         push.1 add
//!     else
//!         push.2 mul
//!     end
//!     push.1 while.true         # pops the condition; the body leaves the next one on top
//!         push.1 sub dup push.0 eq not
//!     end
//! end
//! ```
//!
//! A program is `begin … end`, optionally preceded by `proc.NAME … end` declarations
//! (`proc.NAME.N` for a procedure with N words of locals, `loc_load.i` and the others, at
//! addresses fixed from [`LOCALS_BASE`] on by the calls: see `docs/isa.md`); tokens
//! are separated by white space; one instruction per token with its immediate written `.N`.
//! Straight-line runs of instructions become spans, `if.true` a split, `while.true` a loop, and
//! a sequence a balanced tree of joins (see `distaff_air::program`). Procedure names, comments
//! and formatting do not affect the program hash. See `docs/isa.md` for the instructions.
#![deny(missing_docs)]

use distaff_air::program::{Block, MAX_PROGRAM_ELEMENTS};
use distaff_air::{Hint, Instruction, Program, ProgramError};
use distaff_math::{parse_felt, Felt, FeltError};
use std::sync::Arc;

/// An assembly error, located at a 1-based line and column (in characters) of the program's
/// source, or of a library module's (`module`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssemblyError {
    /// Line of the offending token (1-based).
    pub line: usize,
    /// Column of the offending token (1-based, in characters).
    pub column: usize,
    /// What is wrong.
    pub kind: ErrorKind,
    /// The library module the error is in (`None`: the program's own source).
    pub module: Option<Box<ModuleSource>>,
}

/// A library module's path and source, for pointing at an error in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleSource {
    /// The module's path, `LIBRARY::…::MODULE`.
    pub path: String,
    /// Its text.
    pub source: Arc<str>,
}

impl core::fmt::Display for AssemblyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if let Some(m) = &self.module {
            write!(f, "module {}, ", m.path)?;
        }
        write!(f, "line {}, column {}: {}", self.line, self.column, self.kind)
    }
}

impl std::error::Error for AssemblyError {}

/// What is wrong with the source.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// The first token is not `begin`.
    #[error("expected 'begin', found '{0}'")]
    ExpectedBegin(String),
    /// The source has no `begin`.
    #[error("expected 'begin', found the end of the source")]
    MissingBegin,
    /// A block is not closed, and by the indentation it is a block inside the one left open:
    /// the `end` that closed it lines up with the outer block's opener.
    #[error("'{opener}' at line {line}, column {column} is never closed by 'end': the 'end' at line {end_line}, column {end_column}, which closed it, lines up with '{outer}' at line {outer_line}")]
    MisclosedBlock {
        /// The block missing its `end` (`if.true`, `while.true`, `repeat.N`, …).
        opener: String,
        /// Where it was opened.
        line: usize,
        /// Where it was opened.
        column: usize,
        /// The `end` that closed it.
        end_line: usize,
        /// The `end` that closed it.
        end_column: usize,
        /// The enclosing block left open.
        outer: String,
        /// Where that block was opened.
        outer_line: usize,
    },
    /// A block is not closed.
    #[error("'{opener}' at line {line}, column {column} is never closed by 'end'")]
    UnclosedBlock {
        /// `begin` or `repeat.N`.
        opener: String,
        /// Where it was opened.
        line: usize,
        /// Where it was opened.
        column: usize,
    },
    /// Something follows the program's final `end`.
    #[error("unexpected '{0}' after the program's final 'end'")]
    TrailingInput(String),
    /// An unknown instruction.
    #[error("unknown instruction '{name}'{}", suggestion.as_ref().map(|s| format!("; did you mean '{s}'?")).unwrap_or_default())]
    UnknownInstruction {
        /// The token.
        name: String,
        /// The closest known instruction, if any is close.
        suggestion: Option<String>,
    },
    /// An instruction that needs an immediate has none.
    #[error("'{0}' needs an immediate, as in {0}.5")]
    MissingImmediate(String),
    /// An instruction that takes no immediate has one.
    #[error("'{0}' takes no immediate")]
    UnexpectedImmediate(String),
    /// An immediate is malformed or out of range.
    #[error("invalid immediate '{text}' for '{instruction}': {reason}")]
    BadImmediate {
        /// The instruction.
        instruction: String,
        /// The immediate as written.
        text: String,
        /// Why it is refused.
        reason: String,
    },
    /// The program has no instructions.
    #[error("the program has no instructions")]
    EmptyProgram,
    /// The expanded program is too large.
    #[error("the program expands to more than {MAX_PROGRAM_ELEMENTS} elements")]
    ProgramTooLarge,
    /// `exec` of a procedure that is not (yet) declared.
    #[error("unknown procedure '{0}' (procedures are declared with proc.NAME before they are called)")]
    UnknownProcedure(String),
    /// A procedure calls itself.
    #[error("procedure '{0}' calls itself; recursion is not supported")]
    RecursiveProcedure(String),
    /// Two procedures with one name.
    #[error("procedure '{0}' is already declared")]
    DuplicateProcedure(String),
    /// A constant declaration that is not `const.NAME=VALUE` (NAME: capital letters, digits and
    /// `_`, starting with a letter; VALUE: a field element), or one after the first procedure
    /// or `begin`.
    #[error("bad constant declaration '{text}': {reason}")]
    BadConstant {
        /// The declaration.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// An immediate names a constant that is not declared.
    #[error("unknown constant '{0}' (declare it first: const.{0}=VALUE)")]
    UnknownConstant(String),
    /// An assertion message that is not `err="TEXT"`.
    #[error("bad assertion message '{0}': write it as err=\"TEXT\"")]
    BadMessage(String),
    /// A `debug.*` decorator that is not `debug.stack`, `debug.stack.N`, `debug.mem`,
    /// `debug.mem.A` or `debug.mem.A.B`.
    #[error("bad decorator '{text}': {reason}")]
    BadDecorator {
        /// The decorator as written.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// A `loc_*` instruction outside a procedure that declares locals, or naming a local it
    /// does not have.
    #[error("'{token}': {reason}")]
    BadLocal {
        /// The instruction as written.
        token: String,
        /// What is wrong.
        reason: String,
    },
    /// The frames of procedure locals, nested as deep as the calls go, pass the end of the
    /// address space (2^32 words).
    #[error("procedure locals nested this deep need addresses past 2^32")]
    LocalsTooDeep,
    /// A `use` of a module that no library has.
    #[error("unknown module '{path}' (libraries: {libraries})")]
    UnknownModule {
        /// The path written.
        path: String,
        /// The namespaces of the libraries the assembler has.
        libraries: String,
    },
    /// A module path that is not `LIBRARY::…::MODULE` of identifiers.
    #[error("invalid module path '{0}': write use.LIBRARY::MODULE or use.LIBRARY::PATH::MODULE, with identifiers")]
    BadModulePath(String),
    /// Two `use`s give one name.
    #[error("a module named '{0}' is already imported")]
    DuplicateImport(String),
    /// A module imports itself, directly or through others.
    #[error("modules import each other in a cycle: {0}")]
    ImportCycle(String),
    /// Modules import modules more than [`MAX_IMPORT_DEPTH`] deep.
    #[error("modules import modules more than {MAX_IMPORT_DEPTH} deep")]
    ImportsTooDeep,
    /// `exec.MODULE::NAME` of a module that is not imported.
    #[error("module '{0}' is not imported (import it with use.LIBRARY::…::{0})")]
    NotImported(String),
    /// `exec.MODULE::NAME` of a procedure the module does not export.
    #[error("module '{module}' has no exported procedure '{name}'{}", if *.private { " (it is private: declared with proc, not export)" } else { "" })]
    NotExported {
        /// The module's path.
        module: String,
        /// The procedure.
        name: String,
        /// Whether the module has it, but private.
        private: bool,
    },
    /// A procedure name that is not an identifier.
    #[error("invalid procedure name '{0}': use letters, digits and '_', starting with a letter or '_'")]
    BadProcedureName(String),
    /// A keyword where it cannot appear (`else` outside `if.true`, `proc` inside a block, …).
    #[error("unexpected '{token}': {reason}")]
    Unexpected {
        /// The token.
        token: String,
        /// Why it cannot appear here.
        reason: &'static str,
    },
    /// `if` or `while` without `.true`.
    #[error("'{0}' must be written '{0}.true'")]
    ExpectedTrue(String),
    /// Blocks nested deeper than [`MAX_NESTING`] (procedure calls included).
    #[error("blocks are nested more than {MAX_NESTING} deep (counting the blocks of called procedures)")]
    NestingTooDeep,
    /// Long sequences of blocks at deep nesting make the block tree (joins included) deeper
    /// than `distaff_air::program::MAX_BLOCK_DEPTH`.
    #[error("the program's block tree is more than {} levels deep: split long sequences of blocks at deep nesting into procedures or loops", distaff_air::program::MAX_BLOCK_DEPTH)]
    TreeTooDeep,
}

/// The deepest nesting of `if.true` and `while.true` blocks the assembler accepts (`repeat`
/// blocks are expanded and may nest without limit).
pub const MAX_NESTING: usize = 128;

/// The first memory address of procedure locals. Locals are allocated statically, as a stack
/// of frames fixed when the program is assembled: a procedure's frame follows its caller's
/// (the program's own body has none), so two procedures active at once never share a word,
/// and the addresses depend only on which procedure calls which, never on names or on the
/// order of declarations.
pub const LOCALS_BASE: u64 = 1 << 31;

/// The longest chain of modules importing modules (`use`) the assembler follows.
pub const MAX_IMPORT_DEPTH: usize = 64;

/// The most locals (words) one procedure may declare (`proc.NAME.N`).
pub const MAX_LOCALS: u64 = 1 << 16;

const INSTRUCTIONS: &[&str] = &[
    "mtree_verify",
    "mtree_set",
    "mtree_get",
    "adv_pipe",
    "u32assert",
    "u32assert2",
    "u32split",
    "u32add",
    "u32sub",
    "u32mul",
    "u32overflowing_add",
    "u32overflowing_sub",
    "u32overflowing_mul",
    "u32wrapping_add",
    "u32wrapping_sub",
    "u32wrapping_mul",
    "u32divmod",
    "u32div",
    "u32mod",
    "u32lt",
    "u32lte",
    "u32gt",
    "u32gte",
    "u32not",
    "u32and",
    "u32or",
    "u32xor",
    "u32andxor",
    "u32shl",
    "u32shr",
    "u32rotl",
    "u32rotr",
    "lt",
    "lte",
    "gt",
    "gte",
    "mem_load",
    "mem_store",
    "mem_loadw",
    "mem_storew",
    "mstore",
    "mloadw",
    "mstorew",
    "pad",
    "padw",
    "dropw",
    "noop",
    "push",
    "read",
    "add",
    "sub",
    "mul",
    "neg",
    "inv",
    "not",
    "and",
    "or",
    "eq",
    "drop",
    "assert",
    "assert_eq",
    "eqz",
    "neq",
    "cswap",
    "cdrop",
    "readw",
    "hperm",
    "hmerge",
    "dup",
    "swap",
    "movup",
    "movdn",
    "repeat",
    "begin",
    "end",
    "if.true",
    "else",
    "while.true",
    "exec",
    "proc",
    "export",
    "use",
    "loc_load",
    "loc_store",
    "loc_loadw",
    "loc_storew",
    "locaddr",
];

impl AssemblyError {
    fn at(token: &Token, kind: ErrorKind) -> Self {
        AssemblyError { line: token.line, column: token.column, kind, module: None }
    }

    /// The error with the offending source line and a caret under the column, rustc style:
    /// a line of `source` (the program's), or of the module the error is in.
    pub fn render(&self, source: &str) -> String {
        let source = self.module.as_ref().map_or(source, |m| &m.source);
        format!("{}\n{}", self, source_snippet(source, (self.line, self.column)))
    }
}

/// The source line at `(line, column)` with a caret under the column, rustc style (three lines:
/// an empty gutter, the numbered line, the caret), for pointing errors at the source.
pub fn source_snippet(source: &str, (line, column): Location) -> String {
    let text = source.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let gutter = line.to_string().len();
    let pad: String = text.chars().take(column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
    format!("{:gutter$} |\n{line} | {text}\n{:gutter$} | {pad}^", "", "")
}

#[derive(Clone, Debug)]
struct Token<'a> {
    text: &'a str,
    line: usize,
    column: usize,
}

fn tokenize(source: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    for (i, line) in source.lines().enumerate() {
        // a token ends at white space outside double quotes (an assertion message may hold
        // spaces and '#'); a comment starts at '#' outside them
        let mut start: Option<usize> = None;
        let mut quoted = false;
        let mut end = line.len();
        for (byte, ch) in line.char_indices() {
            if ch == '"' {
                quoted = !quoted;
            }
            if quoted {
                start.get_or_insert(byte);
                continue;
            }
            if ch == '#' {
                end = byte;
                break;
            }
            if ch.is_whitespace() {
                if let Some(s) = start.take() {
                    let column = line[..s].chars().count() + 1;
                    tokens.push(Token { text: &line[s..byte], line: i + 1, column });
                }
            } else if start.is_none() {
                start = Some(byte);
            }
        }
        if let Some(s) = start {
            let column = line[..s].chars().count() + 1;
            tokens.push(Token { text: &line[s..end], line: i + 1, column });
        }
    }
    tokens
}

/// The source's words as the assembler reads them (comments left out, an assertion message
/// kept whole), each with its line and column: for front ends that show what is written at a
/// location the source map gives.
pub fn words(source: &str) -> impl Iterator<Item = (Location, &str)> {
    tokenize(source).into_iter().map(|t| ((t.line, t.column), t.text))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggest(name: &str) -> Option<String> {
    INSTRUCTIONS
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, _)| *d <= 2 && *d < name.len())
        .min()
        .map(|(_, k)| k.to_string())
}

fn small_immediate(
    token: &Token,
    name: &str,
    imm: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, AssemblyError> {
    let bad = |reason: String| {
        AssemblyError::at(token, ErrorKind::BadImmediate { instruction: name.into(), text: imm.into(), reason })
    };
    let v = parse_felt(imm).map_err(|e| bad(e.to_string()))?.as_int();
    if !range.contains(&v) {
        return Err(bad(format!("'{name}' takes {}..={}", range.start(), range.end())));
    }
    Ok(v)
}

/// A `debug.*` decorator: when execution passes it, `distaff run` and `distaff debug` print part
/// of the VM's state. It is not part of the program: it costs no cycle and leaves the program
/// hash unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Debug {
    /// `debug.stack`: the whole stack; `debug.stack.N`: its top N values.
    Stack(Option<usize>),
    /// `debug.mem`: every word written or given; `debug.mem.A`: the word at address A;
    /// `debug.mem.A.B`: the words at A to B (inclusive).
    Memory(Option<(u32, u32)>),
}

impl core::fmt::Display for Debug {
    /// The decorator as it is written.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Debug::Stack(None) => write!(f, "debug.stack"),
            Debug::Stack(Some(n)) => write!(f, "debug.stack.{n}"),
            Debug::Memory(None) => write!(f, "debug.mem"),
            Debug::Memory(Some((a, b))) if a == b => write!(f, "debug.mem.{a}"),
            Debug::Memory(Some((a, b))) => write!(f, "debug.mem.{a}.{b}"),
        }
    }
}

/// The most words `debug.mem.A.B` prints.
pub const MAX_DEBUG_WORDS: u32 = 1 << 16;

fn parse_debug(token: &Token, imm: Option<&str>) -> Result<Debug, AssemblyError> {
    let bad = |reason: &str| {
        AssemblyError::at(token, ErrorKind::BadDecorator { text: token.text.into(), reason: reason.into() })
    };
    let number = |text: &str, max: u64| {
        parse_felt(text)
            .ok()
            .map(|v| v.as_int())
            .filter(|v| *v <= max)
            .ok_or_else(|| bad(&format!("'{text}' is not a number from 0 to {max}")))
    };
    let mut parts = imm.unwrap_or_default().split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("stack"), None, ..) => Ok(Debug::Stack(None)),
        (Some("stack"), Some(n), None, _) => match number(n, u32::MAX as u64)? {
            0 => Err(bad("'debug.stack.N' prints the top N values: N is at least 1")),
            n => Ok(Debug::Stack(Some(n as usize))),
        },
        (Some("mem"), None, ..) => Ok(Debug::Memory(None)),
        (Some("mem"), Some(a), None, _) => {
            let a = number(a, u32::MAX as u64)? as u32;
            Ok(Debug::Memory(Some((a, a))))
        }
        (Some("mem"), Some(a), Some(b), None) => {
            let (a, b) = (number(a, u32::MAX as u64)? as u32, number(b, u32::MAX as u64)? as u32);
            if a > b {
                return Err(bad("the first address is above the last"));
            }
            if b - a >= MAX_DEBUG_WORDS {
                return Err(bad(&format!("at most {MAX_DEBUG_WORDS} words at a time")));
            }
            Ok(Debug::Memory(Some((a, b))))
        }
        _ => Err(bad("write debug.stack, debug.stack.N, debug.mem, debug.mem.A or debug.mem.A.B")),
    }
}

/// One parsed instruction or block marker.
enum Item<'a> {
    Instruction(Instruction),
    /// `readw`, `hmerge`, `mem_store`, …: a fixed sequence of instructions.
    Macro(Vec<Instruction>),
    /// `assert.err="…"` or `assert_eq.err="…"`: the instructions and the message (which lives
    /// only in the source map: it costs no cycle and is not part of the program hash).
    Asserting(Vec<Instruction>, &'a str),
    /// `debug.stack`, `debug.mem`, …: lives only in the source map.
    Debug(Debug),
    /// `adv.*`, `emit.*`, `mtree_*.D`: a hint, then a fixed sequence of instructions (maybe
    /// none).
    Hinted(Hint, Vec<Instruction>),
    Repeat(u64),
    If,
    Else,
    While,
    Exec(&'a str),
    /// A procedure declaration, the number of its locals (words), and whether it is exported
    /// (`export.NAME`, in a library module).
    Proc(&'a str, u64, bool),
    /// `loc_load.i`, `loc_store.i`, `loc_loadw.i`, `loc_storew.i`, `locaddr.i`: the local's
    /// index and the instructions before and after the push of its address.
    Local(u64, Vec<Instruction>, Vec<Instruction>),
    Begin,
    End,
}

fn parse_token<'a>(token: &Token<'a>) -> Result<Item<'a>, AssemblyError> {
    let (name, imm) = match token.text.split_once('.') {
        Some((n, i)) => (n, Some(i)),
        None => (token.text, None),
    };
    let no_imm = |inst: Instruction| match imm {
        None => Ok(Item::Instruction(inst)),
        Some(_) => Err(AssemblyError::at(token, ErrorKind::UnexpectedImmediate(name.into()))),
    };
    let missing = || AssemblyError::at(token, ErrorKind::MissingImmediate(name.into()));
    let macro_no_imm = |m: Vec<Instruction>| match imm {
        None => Ok(Item::Macro(m)),
        Some(_) => Err(AssemblyError::at(token, ErrorKind::UnexpectedImmediate(name.into()))),
    };
    use Instruction::*;
    match name {
        "noop" => no_imm(Noop),
        "read" => no_imm(Read),
        "add" => no_imm(Add),
        "sub" => no_imm(Sub),
        "mul" => no_imm(Mul),
        "neg" => no_imm(Neg),
        "inv" => no_imm(Inv),
        "not" => no_imm(Not),
        "and" => no_imm(And),
        "or" => no_imm(Or),
        "eq" => no_imm(Eq),
        "drop" => no_imm(Drop),
        "assert" | "assert_eq" if imm.is_some_and(|i| i.starts_with("err=")) => {
            let text = imm.unwrap_or_default();
            let message = text
                .strip_prefix("err=\"")
                .and_then(|m| m.strip_suffix('"'))
                .filter(|m| !m.contains('"'))
                .ok_or_else(|| AssemblyError::at(token, ErrorKind::BadMessage(token.text.into())))?;
            let instructions = if name == "assert" { vec![Assert] } else { vec![Eq, Assert] };
            Ok(Item::Asserting(instructions, message))
        }
        "assert" => no_imm(Assert),
        // no operation moves the stack by two: these are two operations each
        "assert_eq" => macro_no_imm(vec![Eq, Assert]),
        // the primitives behind mem_store, mem_loadw and mem_storew, which keep their values
        "mstore" => no_imm(MStore),
        "mloadw" => no_imm(MLoadW),
        "mstorew" => no_imm(MStoreW),
        "eqz" => no_imm(EqZ),
        "neq" => no_imm(Neq),
        "cswap" => no_imm(CSwap),
        "cdrop" => macro_no_imm(vec![CSwap, Drop]),
        "pad" => no_imm(Pad),
        "u32assert2" => no_imm(U32Assert2),
        "u32assert" => macro_no_imm(vec![Pad, U32Assert2, Drop]),
        "u32split" => no_imm(U32Split),
        "u32overflowing_add" | "u32add" => no_imm(U32OverflowingAdd),
        "u32overflowing_sub" | "u32sub" => no_imm(U32OverflowingSub),
        "u32overflowing_mul" | "u32mul" => no_imm(U32OverflowingMul),
        "u32wrapping_add" => macro_no_imm(vec![U32OverflowingAdd, Drop]),
        "u32wrapping_sub" => macro_no_imm(vec![U32OverflowingSub, Drop]),
        "u32wrapping_mul" => macro_no_imm(vec![U32OverflowingMul, Drop]),
        "u32divmod" => no_imm(U32DivMod),
        "u32div" => macro_no_imm(vec![U32DivMod, Drop]),
        "u32mod" => macro_no_imm(vec![U32DivMod, Swap(1), Drop]),
        "u32lt" => no_imm(U32Lt),
        "u32gt" => macro_no_imm(vec![Swap(1), U32Lt]),
        "u32lte" => macro_no_imm(vec![Swap(1), U32Lt, Not]),
        "u32gte" => macro_no_imm(vec![U32Lt, Not]),
        // a XOR (2^32 − 1), which checks a
        "u32not" => macro_no_imm(vec![Push(Felt::new(u32::MAX as u64)), U32Xor]),
        "u32xor" => no_imm(U32Xor),
        "u32andxor" => no_imm(U32AndXor),
        // a AND b is below a XOR b; a OR b = (a AND b) + (a XOR b)
        "u32and" => macro_no_imm(vec![U32AndXor, Drop]),
        "u32or" => macro_no_imm(vec![U32AndXor, Add]),
        "lt" => macro_no_imm(field_lt()),
        "gt" => macro_no_imm([vec![Swap(1)], field_lt()].concat()),
        "lte" => macro_no_imm([vec![Swap(1)], field_lt(), vec![Not]].concat()),
        "gte" => macro_no_imm([field_lt(), vec![Not]].concat()),
        "mtree_verify" | "mtree_set" | "mtree_get" => {
            let depth = small_immediate(token, name, imm.ok_or_else(missing)?, 1..=64)? as u8;
            Ok(match name {
                "mtree_verify" => Item::Hinted(Hint::MerklePath(depth), mtree_verify(depth.into())),
                "mtree_set" => Item::Hinted(Hint::MerkleSet(depth), mtree_set(depth.into())),
                _ => Item::Hinted(Hint::MerkleGet(depth), [vec![Read; 4], mtree_verify(depth.into())].concat()),
            })
        }
        "adv" | "emit" => {
            let text = imm.ok_or_else(missing)?;
            let hint = match (name, text) {
                ("adv", "push_mapval") => Hint::PushMapVal,
                ("adv", "push_mapvaln") => Hint::PushMapValN,
                ("emit", "u64div") => Hint::U64Div,
                _ => {
                    let reason = match name {
                        "adv" => "the advice hints are adv.push_mapval and adv.push_mapvaln",
                        _ => "the hint handlers are: u64div",
                    };
                    return Err(AssemblyError::at(
                        token,
                        ErrorKind::BadImmediate { instruction: name.into(), text: text.into(), reason: reason.into() },
                    ));
                }
            };
            Ok(Item::Hinted(hint, Vec::new()))
        }
        "adv_pipe" => macro_no_imm(adv_pipe()),
        // by a stack value: 2^b from b's bits, then as with an immediate
        "u32shl" | "u32shr" | "u32rotl" | "u32rotr" if imm.is_none() => {
            Ok(Item::Asserting(shift_by_stack(name), "a shift or rotation amount is below 32"))
        }
        "u32shl" | "u32shr" | "u32rotl" | "u32rotr" => {
            let n = small_immediate(token, name, imm.ok_or_else(missing)?, 0..=31)?;
            let n = if name == "u32rotr" && n > 0 { 32 - n } else { n };
            let pow = Push(Felt::new(1 << n));
            Ok(Item::Macro(match name {
                "u32shl" => vec![pow, U32OverflowingMul, Drop],
                "u32shr" => vec![pow, U32DivMod, Drop],
                // x·2^n = lo + 2^32·hi: the bits shifted out are hi, and lo has n zero bits
                _ => vec![pow, U32OverflowingMul, Add],
            }))
        }
        "padw" => macro_no_imm(vec![Pad; 4]),
        "dropw" => macro_no_imm(vec![Drop; 4]),
        "loc_load" | "loc_store" | "loc_loadw" | "loc_storew" | "locaddr" => {
            let index = small_immediate(token, name, imm.ok_or_else(missing)?, 0..=MAX_LOCALS - 1)?;
            // as mem_load.A and the others, after the push of the local's address
            let (before, after) = match name {
                "loc_load" => (vec![], vec![MLoad]),
                "loc_store" => (vec![], vec![MStore, Drop]),
                // four zeros for the word to overwrite, then the address on top
                "loc_loadw" => (vec![Pad; 4], vec![MLoadW]),
                "loc_storew" => (vec![], vec![MStoreW, Drop, Drop, Drop, Drop]),
                _ => (vec![], vec![]),
            };
            Ok(Item::Local(index, before, after))
        }
        "mem_load" | "mem_store" | "mem_loadw" | "mem_storew" => {
            let addr = match imm {
                None => None,
                Some(i) => Some(Push(Felt::new(small_immediate(token, name, i, 0..=u32::MAX as u64)?))),
            };
            let mut m: Vec<Instruction> = Vec::new();
            match name {
                "mem_load" => m.extend(addr.into_iter().chain([MLoad])),
                "mem_store" => m.extend(addr.into_iter().chain([MStore, Drop])),
                "mem_loadw" => {
                    // four zeros for the word to overwrite, then the address on top
                    m.extend([Pad; 4]);
                    m.extend([addr.unwrap_or(MovUp(4)), MLoadW]);
                }
                _ => {
                    m.extend(addr.into_iter().chain([MStoreW]));
                    m.extend([Drop; 4]);
                }
            }
            Ok(if m.len() == 1 { Item::Instruction(m[0]) } else { Item::Macro(m) })
        }
        "hperm" => no_imm(HPerm),
        "readw" | "hmerge" => match imm {
            None if name == "readw" => Ok(Item::Macro(vec![Read; 4])),
            None => Ok(Item::Macro(hmerge())),
            Some(_) => Err(AssemblyError::at(token, ErrorKind::UnexpectedImmediate(name.into()))),
        },
        "end" | "else" | "begin" => match imm {
            None => Ok(match name {
                "end" => Item::End,
                "else" => Item::Else,
                _ => Item::Begin,
            }),
            Some(_) => Err(AssemblyError::at(token, ErrorKind::UnexpectedImmediate(name.into()))),
        },
        "if" | "while" => match imm {
            Some("true") => Ok(if name == "if" { Item::If } else { Item::While }),
            _ => Err(AssemblyError::at(token, ErrorKind::ExpectedTrue(name.into()))),
        },
        "use" => Err(AssemblyError::at(
            token,
            ErrorKind::Unexpected {
                token: token.text.into(),
                reason: "use.… lines open the file, before constants and procedures",
            },
        )),
        "exec" | "proc" | "export" => {
            let imm = imm.ok_or_else(missing)?;
            // proc.NAME.N declares N locals
            let (id, locals) = match imm.split_once('.') {
                Some((id, n)) if name != "exec" => (id, small_immediate(token, name, n, 1..=MAX_LOCALS)?),
                _ => (imm, 0),
            };
            // exec.MODULE::NAME calls an imported module's procedure
            let valid = match id.split_once("::") {
                Some((module, procedure)) if name == "exec" => is_identifier(module) && is_identifier(procedure),
                _ => is_identifier(id),
            };
            if !valid {
                return Err(AssemblyError::at(token, ErrorKind::BadProcedureName(id.into())));
            }
            Ok(match name {
                "exec" => Item::Exec(id),
                _ => Item::Proc(id, locals, name == "export"),
            })
        }
        "push" => {
            let imm = imm.ok_or_else(missing)?;
            let v = parse_felt(imm).map_err(|e: FeltError| {
                AssemblyError::at(
                    token,
                    ErrorKind::BadImmediate { instruction: name.into(), text: imm.into(), reason: e.to_string() },
                )
            })?;
            Ok(Item::Instruction(Push(v)))
        }
        "dup" => Ok(Item::Instruction(Dup(match imm {
            None => 0,
            Some(i) => small_immediate(token, name, i, 0..=15)? as u8,
        }))),
        "swap" => Ok(Item::Instruction(Swap(match imm {
            None => 1,
            Some(i) => small_immediate(token, name, i, 1..=15)? as u8,
        }))),
        "movup" => Ok(Item::Instruction(MovUp(small_immediate(token, name, imm.ok_or_else(missing)?, 1..=15)? as u8))),
        "movdn" => Ok(Item::Instruction(MovDn(small_immediate(token, name, imm.ok_or_else(missing)?, 1..=15)? as u8))),
        "debug" => parse_debug(token, imm).map(Item::Debug),
        "repeat" => Ok(Item::Repeat(small_immediate(token, name, imm.ok_or_else(missing)?, 1..=u32::MAX as u64)?)),
        _ => Err(AssemblyError::at(
            token,
            ErrorKind::UnknownInstruction { name: token.text.into(), suggestion: suggest(name) },
        )),
    }
}

/// Letters, digits and `_`, not starting with a digit.
fn is_identifier(id: &str) -> bool {
    id.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `B A -> merge(A, B)` (`Rp64_256::merge`) for digest A on slots 0..3 and B on 4..7: the
/// state `[8, 0, 0, 0, A, B]`, permuted; the digest is lanes 4..8.
fn hmerge() -> Vec<Instruction> {
    use Instruction::*;
    let mut m = vec![Push(Felt::new(0)), Push(Felt::new(0)), Push(Felt::new(0)), Push(Felt::new(8)), HPerm];
    m.extend([Drop; 4]);
    for _ in 0..4 {
        m.extend([MovUp(4), Drop]);
    }
    m
}

/// `[s(4), h(4), c] -> [parent(4)]`: the parent of node `h` and its sibling `s`; `c = 1` when
/// `h` is the left child (the words are swapped lane by lane with `cswap` so that the left
/// child ends on top), then merged.
fn merge_children() -> Vec<Instruction> {
    use Instruction::*;
    let mut m = Vec::new();
    for _ in 0..4 {
        m.extend([Dup(8), MovUp(5), MovDn(2), CSwap, Swap(1), MovDn(4), MovDn(3), MovUp(4), MovDn(7)]);
    }
    m.extend([MovUp(8), Drop]);
    m.extend(hmerge());
    m
}

/// `[node(4), idx] -> [c, node(4), idx / 2]`: the low bit of the index, as `c = 1` for a left
/// child (`u32divmod` also checks the index is a u32 value).
fn index_bit() -> Vec<Instruction> {
    use Instruction::*;
    vec![MovUp(4), Push(Felt::new(2)), U32DivMod, Swap(1), MovDn(5), Not]
}

/// `[c(4), q, …]` after the levels: the index had no more bits than the depth (`q = 0`).
fn index_consumed() -> Vec<Instruction> {
    use Instruction::*;
    vec![MovUp(4), EqZ, Assert]
}

/// `[c(4), x(k), R(4)] -> [x(k)]`: asserts `c = R`, lane by lane, for the root `R` below `k`
/// other values, consuming both.
fn assert_root(k: usize) -> Vec<Instruction> {
    use Instruction::*;
    // R[i] sits below the 4 − i lanes of c still there and the k values
    (0..4).flat_map(|i| [MovUp((4 - i + k) as u8), Eq, Assert]).collect()
}

/// `mtree_verify.D`: `R(4) i V(4) -> R i V` (unchanged): fails unless the leaf digest `V` (V[0]
/// on top) sits at index `i < 2^D` of a Merkle tree of depth `D` with root `R`, where nodes are
/// `Rp64_256::merge(left, right)`. The path comes from the secret inputs, a sibling per level
/// from the leaf up, each as four values, lane 3 first (so that `readw` leaves lane 0 on top).
fn mtree_verify(depth: usize) -> Vec<Instruction> {
    use Instruction::*;
    let mut m = vec![Dup(4); 5]; // a working copy of [V, i]
    let level = |m: &mut Vec<Instruction>| {
        m.extend(index_bit()); // [c, C, q]
        m.extend([Read, Read, Read, Read, MovUp(4), MovDn(8)]); // [S, C, c, q]
        m.extend(merge_children()); // [parent, q]
    };
    if depth <= 32 {
        (0..depth).for_each(|_| level(&mut m));
    } else {
        // an index of more than 32 bits: its canonical halves, the low one first
        m.extend([MovUp(4), U32Split, MovDn(5), MovDn(4)]); // [C, lo, hi]
        (0..32).for_each(|_| level(&mut m));
        m.extend(index_consumed()); // [C, hi]
        (32..depth).for_each(|_| level(&mut m));
    }
    m.extend(index_consumed());
    // [C(4), V, i, R] -> [V, i, R]: lane by lane, a copy of R[j] (always 9 deep) equals C[j]
    for _ in 0..4 {
        m.extend([Dup(9), Eq, Assert]);
    }
    m
}

/// `mtree_set.D`: `R(4) i V(4) -> R'(4)`: replaces the leaf at index `i < 2^D` of the tree with
/// root `R` by `V`, and leaves the new root. The old leaf and the path come from the secret
/// inputs: the old leaf (four values, lane 3 first), then a sibling per level as for
/// `mtree_verify`; the old leaf and path must lead to `R`, and the same path with `V` gives `R'`.
fn mtree_set(depth: usize) -> Vec<Instruction> {
    use Instruction::*;
    let mut m = vec![Read, Read, Read, Read]; // [O = old leaf, N = V, i, R]
    if depth > 32 {
        // an index of more than 32 bits: its canonical halves, the low one first
        m.extend([MovUp(8), U32Split, MovDn(9), MovDn(8)]); // [O, N, lo, hi, R]
    }
    for d in 0..depth {
        if d == 32 {
            m.extend([MovUp(8), EqZ, Assert]); // the low half was consumed: [O, N, hi, R]
        }
        // [O, N, idx] -> [c, O, N, q]
        m.extend([MovUp(8), Push(Felt::new(2)), U32DivMod, Swap(1), MovDn(9), Not]);
        m.extend([Read, Read, Read, Read]); // [S, c, O, N, q]
        m.extend([Dup(4), Dup(4), Dup(4), Dup(4), Dup(4)]); // [S, c, S, c, O, N, q]
        m.extend([MovDn(13); 5]); // [S, c, O, S, c, N, q]
        m.extend([MovUp(4), MovDn(8)]); // [S, O, c, S, c, N, q]
        m.extend(merge_children()); // [P_O, S, c, N, q]
        m.extend([MovDn(12); 4]); // [S, c, N, P_O, q]
        m.extend([MovUp(4), MovDn(8)]); // [S, N, c, P_O, q]
        m.extend(merge_children()); // [P_N, P_O, q]
        m.extend([MovDn(7); 4]); // [P_O, P_N, q]
    }
    // [O', N', q, R] -> the old path led to R, and the index was consumed
    m.extend([MovUp(8), EqZ, Assert]);
    m.extend(assert_root(4));
    m
}

/// `adv_pipe`: `a -> a+2`: the next eight secret inputs go to memory, the first four to the
/// word at `a` (lane 0 first), the next four to the word at `a + 1`.
fn adv_pipe() -> Vec<Instruction> {
    use Instruction::*;
    let mut m = Vec::new();
    for _ in 0..2 {
        m.extend([Read, Read, Read, Read]); // [v3, v2, v1, v0, a]
        m.extend([Swap(3), MovUp(2), Swap(1)]); // [v0, v1, v2, v3, a]
        m.extend([Dup(4), MStoreW, Drop, Drop, Drop, Drop, Push(Felt::new(1)), Add]);
    }
    m
}

/// `a b -> (a < b)` on field elements (their canonical values): compares the high 32-bit halves,
/// then the low ones. 20 cycles.
fn field_lt() -> Vec<Instruction> {
    use Instruction::*;
    vec![
        U32Split, // [hb, lb, a]
        MovUp(2),
        U32Split, // [ha, la, hb, lb]
        Dup(2),
        Dup(1),
        Eq, // [ha = hb, ha, la, hb, lb]
        Dup(1),
        Dup(4),
        U32Lt, // [ha < hb, e, ha, la, hb, lb]
        Dup(3),
        Dup(6),
        U32Lt, // [la < lb, ha < hb, e, ...]
        MovUp(2),
        And,
        Or, // [result, ha, la, hb, lb]
        MovDn(4),
        Drop,
        Drop,
        Drop,
        Drop,
    ]
}

/// `a b -> c`: `u32shl`, `u32shr`, `u32rotl` or `u32rotr` of `a` by `b` (on top), which must
/// be below 32. `2^b` is the product of `2^(2^i)` over the bits `i` of `b`, taken with
/// `u32divmod` by 2 (13 cycles a bit; what is left must be 0); then the multiplication or
/// division of the immediate forms. `u32rotr` rotates left by `(32 − b) AND 31`, once `b` is
/// checked below 32. 73 cycles (86 for `u32rotr`).
fn shift_by_stack(name: &str) -> Vec<Instruction> {
    use Instruction::*;
    let push = |v: u64| Push(Felt::new(v));
    let mut m = Vec::new();
    if name == "u32rotr" {
        m.extend([Dup(0), push(32), U32Lt, Assert]);
        m.extend([push(32), Swap(1), Sub, push(31), U32AndXor, Drop]);
    }
    m.extend([push(1), Swap(1)]); // b 1: the power so far under the bits left
    for i in 0..5 {
        // b -> bit, b/2; the factor 1 + bit·(2^(2^i) − 1)
        m.extend([push(2), U32DivMod, push((1 << (1 << i)) - 1), Mul, push(1), Add, MovUp(2), Mul, Swap(1)]);
    }
    m.extend([EqZ, Assert]);
    m.extend(match name {
        "u32shl" => [U32OverflowingMul, Drop],
        "u32shr" => [U32DivMod, Drop],
        // a·2^b = lo + 2^32·hi: the bits shifted out are hi, and lo has b zero bits
        _ => [U32OverflowingMul, Add],
    });
    m
}

/// A 1-based line and column in the source.
pub type Location = (usize, usize);

/// A parsed program element, with where it is written: an instruction or a control-flow block.
#[derive(Clone, Debug)]
enum Node {
    Instruction(Instruction, Origin),
    Debug(Debug, Origin),
    /// A hint: runs before the next instruction, costs no cycle (see [`Hint`]).
    Hint(Hint, Origin),
    If(Vec<Node>, Vec<Node>, Origin),
    While(Vec<Node>, Origin),
}

/// Where each instruction and each condition of an assembled program is written, by static
/// index (the numbering `distaff_air::program::Block::num_instructions` describes, which
/// execution errors report). An instruction that comes from a procedure points into the
/// procedure; an instruction the assembler added (the `noop` of an empty block) points at
/// the block's opener.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    instructions: Vec<Origin>,
    /// The instruction at each static index.
    kinds: Vec<Instruction>,
    conditions: Vec<Origin>,
    decorators: Vec<Decorator>,
}

/// One `exec` call an instruction was reached through ([`SourceMap::instruction_frames`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallFrame {
    /// Where the `exec` is written.
    pub at: Location,
    /// With the frames outside it, identifies the call: two steps are in the same call when
    /// their frames agree up to this one (each `exec` written, each copy of it in a `repeat`
    /// and each call of the procedure holding it is a call of its own).
    pub call: usize,
}

/// Where a `debug.*` decorator runs, by the static indexes of [`SourceMap`]: before the
/// instruction or the `if.true`/`while.true` written after it, or, when it is the last thing
/// in its block, after what precedes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Anchor {
    /// Before the instruction with this static index runs.
    BeforeInstruction(usize),
    /// After the instruction with this static index ran.
    AfterInstruction(usize),
    /// Before the condition with this static index is popped (each time, for a `while.true`).
    BeforeCondition(usize),
    /// After the `if.true` or `while.true` block of this condition ended.
    AfterBlock(usize),
}

/// A `debug.*` decorator of an assembled program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decorator {
    /// What it prints.
    pub debug: Debug,
    /// Where it runs.
    pub anchor: Anchor,
    /// Line and column where it is written.
    pub at: Location,
}

/// Where a node of the program comes from: where it is written, the `exec` call sites that
/// inlined it (outermost first, a list shared by the nodes of one call), and, for an
/// instruction of a composite one (`assert_eq`, `mtree_verify`, …), the word written.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    at: Location,
    calls: Option<Arc<Call>>,
    word: Option<Arc<str>>,
    /// An assertion's own message (`assert.err="…"`).
    message: Option<Arc<str>>,
    /// A `push` of a local's address, relative to the frame of the procedure it is written
    /// in until the procedure is inlined into the program's body ([`relocate_locals`]).
    local: bool,
}

/// An `exec` call site, and the call sites inside the procedure it calls.
#[derive(Debug, PartialEq, Eq)]
struct Call {
    at: Location,
    /// The procedure called.
    name: Arc<str>,
    inner: Option<Arc<Call>>,
}

impl Origin {
    fn at(at: Location) -> Self {
        Origin { at, calls: None, word: None, message: None, local: false }
    }

    /// The origin of the instructions a token stands for, which name the token as written.
    fn written(token: &Token) -> Self {
        Origin { word: Some(Arc::from(token.text)), ..Origin::at((token.line, token.column)) }
    }

    /// The calls, outermost first: each call's site and an identifier of the call (distinct
    /// for each call the program makes, including each copy in a `repeat`).
    fn frames(&self) -> Vec<CallFrame> {
        let mut frames = Vec::new();
        let mut call = self.calls.as_ref();
        while let Some(c) = call {
            frames.push(CallFrame { at: c.at, call: Arc::as_ptr(c) as usize });
            call = c.inner.as_ref();
        }
        frames
    }

    /// The call sites, innermost first.
    fn call_sites(&self) -> Vec<Location> {
        let mut sites = Vec::new();
        let mut call = self.calls.as_deref();
        while let Some(c) = call {
            sites.push(c.at);
            call = c.inner.as_deref();
        }
        sites.reverse();
        sites
    }
}

impl SourceMap {
    /// Line and column of the instruction with this static index (inside its procedure, if it
    /// comes from one: see [`SourceMap::instruction_calls`]).
    pub fn instruction(&self, index: usize) -> Option<Location> {
        self.instructions.get(index).map(|o| o.at)
    }

    /// Line and column of the `if.true` or `while.true` with this static index.
    pub fn condition(&self, index: usize) -> Option<Location> {
        self.conditions.get(index).map(|o| o.at)
    }

    /// The `exec` call sites through which the instruction with this static index was reached,
    /// innermost first (empty outside procedures).
    pub fn instruction_calls(&self, index: usize) -> Vec<Location> {
        self.instructions.get(index).map(|o| o.call_sites()).unwrap_or_default()
    }

    /// The `exec` calls through which the instruction with this static index was reached,
    /// outermost first, each with an identifier of the call: two steps are in the same call of a
    /// procedure when their frames agree up to it.
    pub fn instruction_frames(&self, index: usize) -> Vec<CallFrame> {
        self.instructions.get(index).map(|o| o.frames()).unwrap_or_default()
    }

    /// The calls of the condition with this static index, outermost first (as
    /// [`SourceMap::instruction_frames`]).
    pub fn condition_frames(&self, index: usize) -> Vec<CallFrame> {
        self.conditions.get(index).map(|o| o.frames()).unwrap_or_default()
    }

    /// The instruction at this static index.
    pub fn instruction_kind(&self, index: usize) -> Option<Instruction> {
        self.kinds.get(index).copied()
    }

    /// The procedure the instruction with this static index is written in (the innermost
    /// `exec` that inlined it), or `None` for the program's own body.
    pub fn instruction_procedure(&self, index: usize) -> Option<&str> {
        let mut call = self.instructions.get(index)?.calls.as_deref()?;
        while let Some(inner) = call.inner.as_deref() {
            call = inner;
        }
        Some(&call.name)
    }

    /// The `exec` call sites of the condition with this static index, innermost first.
    pub fn condition_calls(&self, index: usize) -> Vec<Location> {
        self.conditions.get(index).map(|o| o.call_sites()).unwrap_or_default()
    }

    /// The message an assertion was written with (`assert.err="…"`), for the instruction with
    /// this static index.
    pub fn message(&self, index: usize) -> Option<&str> {
        self.instructions.get(index).and_then(|o| o.message.as_deref())
    }

    /// The program's `debug.*` decorators, in the order they are written (procedures inlined at
    /// each call, `repeat` blocks expanded).
    pub fn decorators(&self) -> &[Decorator] {
        &self.decorators
    }

    /// The word written, when the instruction with this static index is part of a composite
    /// instruction (`assert_eq` is `eq assert`, say): the user wrote this, not the instruction.
    pub fn written(&self, index: usize) -> Option<&str> {
        self.instructions.get(index).and_then(|o| o.word.as_deref())
    }
}

/// A copy of `nodes` with every origin mapped by `f`.
fn map_origins(nodes: &[Node], f: &mut impl FnMut(&Origin) -> Origin) -> Vec<Node> {
    nodes
        .iter()
        .map(|n| match n {
            Node::Instruction(i, o) => Node::Instruction(*i, f(o)),
            Node::Debug(d, o) => Node::Debug(*d, f(o)),
            Node::Hint(h, o) => Node::Hint(*h, f(o)),
            Node::If(t, e, o) => {
                let (t, e) = (map_origins(t, f), map_origins(e, f));
                Node::If(t, e, f(o))
            }
            Node::While(b, o) => Node::While(map_origins(b, f), f(o)),
        })
        .collect()
}

/// `nodes` with each origin's calls replaced by `call(calls)`, made once per distinct `calls`
/// (by identity): the nodes of one call still share one call.
fn with_calls(nodes: &[Node], call: impl Fn(&Option<Arc<Call>>) -> Option<Arc<Call>>) -> Vec<Node> {
    // (by address: a body copied many times holds as many distinct calls as nodes, and a list
    // searched for each node made a chain of doubling procedures quadratic)
    let mut made: std::collections::HashMap<*const Call, Option<Arc<Call>>> = std::collections::HashMap::new();
    map_origins(nodes, &mut |o: &Origin| {
        let key = o.calls.as_ref().map_or(core::ptr::null(), Arc::as_ptr);
        let calls = made.entry(key).or_insert_with(|| call(&o.calls)).clone();
        Origin { calls, ..o.clone() }
    })
}

/// A copy of `nodes` whose outermost calls are new calls (the same sites): the nodes of one
/// call still share it.
fn renew_calls(nodes: &[Node]) -> Vec<Node> {
    with_calls(nodes, |calls| {
        calls.as_ref().map(|head| Arc::new(Call { at: head.at, name: head.name.clone(), inner: head.inner.clone() }))
    })
}

/// The nodes of a procedure's body as inlined by an `exec` at `site`: one call for the whole
/// body, around the calls inside it.
fn called_at(nodes: &[Node], site: Location, name: &Arc<str>) -> Vec<Node> {
    with_calls(nodes, |inner| Some(Arc::new(Call { at: site, name: name.clone(), inner: inner.clone() })))
}

/// A procedure body's nodes as inlined where a procedure with `caller_locals` locals calls it
/// (its locals' addresses, relative to its frame, move up past the caller's frame), or, with
/// `None`, where the program's body calls it (they become addresses from [`LOCALS_BASE`]).
fn relocate_locals(nodes: &[Node], caller_locals: Option<u64>) -> Result<Vec<Node>, ErrorKind> {
    nodes
        .iter()
        .map(|n| {
            Ok(match n {
                Node::Instruction(Instruction::Push(offset), o) if o.local => {
                    let offset = offset.as_int();
                    match caller_locals {
                        Some(shift) => Node::Instruction(Instruction::Push(Felt::new(offset + shift)), o.clone()),
                        None => {
                            // (an address past 2^32 is no memory address)
                            let address = LOCALS_BASE + offset;
                            if address >= 1 << 32 {
                                return Err(ErrorKind::LocalsTooDeep);
                            }
                            Node::Instruction(
                                Instruction::Push(Felt::new(address)),
                                Origin { local: false, ..o.clone() },
                            )
                        }
                    }
                }
                Node::If(t, e, o) => {
                    Node::If(relocate_locals(t, caller_locals)?, relocate_locals(e, caller_locals)?, o.clone())
                }
                Node::While(b, o) => Node::While(relocate_locals(b, caller_locals)?, o.clone()),
                other => other.clone(),
            })
        })
        .collect()
}

/// How deeply `if.true`/`while.true` blocks nest in a node list (at most [`MAX_NESTING`] for
/// anything the parser built).
fn control_depth(nodes: &[Node]) -> usize {
    nodes
        .iter()
        .map(|n| match n {
            Node::Instruction(..) | Node::Debug(..) | Node::Hint(..) => 0,
            Node::If(t, f, _) => 1 + control_depth(t).max(control_depth(f)),
            Node::While(b, _) => 1 + control_depth(b),
        })
        .max()
        .unwrap_or(0)
}

/// Size of a node list in the units of [`Block::size`]: span elements plus two hashing cycles
/// per control block.
fn size_of(nodes: &[Node]) -> usize {
    nodes
        .iter()
        .map(|n| match n {
            // a chain of hperms costs 8 per permutation (and one join, counted by the parent)
            Node::Instruction(Instruction::HPerm, _) => 8,
            Node::Instruction(i, _) => i.cycles(),
            // (no cycle: one element toward the size limit, see Item::Debug)
            Node::Debug(..) | Node::Hint(..) => 1,
            Node::If(t, f, _) => 16 + size_of(t).max(1) + size_of(f).max(1),
            Node::While(b, _) => 16 + size_of(b).max(1),
        })
        .sum()
}

/// Builds the block tree: runs of instructions become spans, runs of `hperm`s chains (no joins
/// between their permutations), the list a balanced join tree. An empty body (an omitted
/// `else`, say) is a single `noop`, located at `at`. Locations are recorded in the tree's
/// static order.
fn to_block(nodes: &[Node], at: &Origin, map: &mut SourceMap) -> Result<Block, ProgramError> {
    let mut parts = Vec::new();
    let mut run = Vec::new();
    // the hints of the span being gathered, by position in it
    let mut run_hints: Vec<(usize, Hint)> = Vec::new();
    let mut chain = 0usize;
    // decorators waiting for the next instruction or condition, and what came last
    let mut pending: Vec<(Debug, Location)> = Vec::new();
    let mut last: Option<Anchor> = None;
    // where the last hint not yet in a span is written (for the `noop` that may carry it)
    let mut hint_origin: Option<Origin> = None;
    for node in nodes {
        match node {
            Node::Debug(debug, origin) => {
                // not part of the program: no block ends here
                pending.push((*debug, origin.at));
                continue;
            }
            Node::Hint(hint, origin) => {
                // a hint runs in a span, before the instruction that follows it: a chain of
                // hperms before it ends here
                if chain > 0 {
                    parts.push(Block::hperm_chain(std::mem::take(&mut chain))?);
                }
                run_hints.push((run.len(), *hint));
                hint_origin = Some(origin.clone());
                continue;
            }
            _ => {}
        }
        let hperm = matches!(node, Node::Instruction(Instruction::HPerm, _));
        // the block being gathered ends where a node of another kind begins (before the
        // anchors are taken: a span may end with a `noop` for its hints)
        if !hperm && chain > 0 {
            parts.push(Block::hperm_chain(std::mem::take(&mut chain))?);
        }
        if !matches!(node, Node::Instruction(i, _) if *i != Instruction::HPerm) {
            end_run(&mut run, &mut run_hints, &mut hint_origin, map, &mut parts)?;
        }
        let (anchor, after) = match node {
            Node::If(..) | Node::While(..) => {
                let c = map.conditions.len();
                (Anchor::BeforeCondition(c), Anchor::AfterBlock(c))
            }
            _ => {
                let i = map.instructions.len();
                (Anchor::BeforeInstruction(i), Anchor::AfterInstruction(i))
            }
        };
        map.decorators.extend(pending.drain(..).map(|(debug, at)| Decorator { debug, anchor, at }));
        last = Some(after);
        match node {
            Node::Instruction(i, origin) => {
                map.instructions.push(origin.clone());
                map.kinds.push(*i);
                if hperm {
                    chain += 1;
                } else {
                    run.push(*i);
                }
            }
            Node::If(t, f, origin) => {
                map.conditions.push(origin.clone());
                let t = to_block(t, origin, map)?;
                let f = to_block(f, origin, map)?;
                parts.push(Block::split(t, f)?);
            }
            Node::While(b, origin) => {
                map.conditions.push(origin.clone());
                parts.push(Block::new_loop(to_block(b, origin, map)?)?);
            }
            Node::Debug(..) | Node::Hint(..) => unreachable!("decorators and hints were set aside above"),
        }
    }
    // decorators that end the block run after what precedes them (before the `noop` of a
    // block that has nothing else)
    let anchor = last.unwrap_or(Anchor::BeforeInstruction(map.instructions.len()));
    map.decorators.extend(pending.drain(..).map(|(debug, at)| Decorator { debug, anchor, at }));
    if chain > 0 {
        parts.push(Block::hperm_chain(chain)?);
    }
    end_run(&mut run, &mut run_hints, &mut hint_origin, map, &mut parts)?;
    if parts.is_empty() {
        if run.is_empty() {
            run.push(Instruction::Noop);
            map.instructions.push(Origin { word: None, message: None, ..at.clone() });
            map.kinds.push(Instruction::Noop);
        }
        parts.push(Block::span(run)?);
    }
    Block::sequence(parts)
}

/// Ends the span being gathered, with its hints. Hints with no instruction to run in (before a
/// control block, a chain of hperms or the end of a block, right after another block) get a
/// span of their own: a `noop`, located at the last of them.
fn end_run(
    run: &mut Vec<Instruction>,
    hints: &mut Vec<(usize, Hint)>,
    hint_origin: &mut Option<Origin>,
    map: &mut SourceMap,
    parts: &mut Vec<Block>,
) -> Result<(), ProgramError> {
    if run.is_empty() && !hints.is_empty() {
        run.push(Instruction::Noop);
        let origin = hint_origin.clone().unwrap_or_else(|| Origin::at((0, 0)));
        map.instructions.push(Origin { word: None, message: None, ..origin });
        map.kinds.push(Instruction::Noop);
    }
    *hint_origin = None;
    if !run.is_empty() {
        parts.push(Block::span_with_hints(std::mem::take(run), std::mem::take(hints))?);
    }
    Ok(())
}

/// What an open block is.
enum Open<'a> {
    Begin,
    /// A procedure, the number of its locals, and whether it is exported.
    Proc(&'a str, u64, bool),
    If {
        then: Option<Vec<Node>>,
    },
    While,
    Repeat(u64),
}

/// An open block: where it started, what it is, and its body so far.
struct Frame<'a> {
    opener: Token<'a>,
    open: Open<'a>,
    body: Vec<Node>,
    size: usize,
}

impl Frame<'_> {
    fn add(&mut self, nodes: &[Node], size: usize, token: &Token) -> Result<(), AssemblyError> {
        self.size = self
            .size
            .checked_add(size)
            .filter(|s| *s <= MAX_PROGRAM_ELEMENTS)
            .ok_or_else(|| AssemblyError::at(token, ErrorKind::ProgramTooLarge))?;
        self.body.extend_from_slice(nodes);
        Ok(())
    }
}

fn program_error(token: &Token, e: ProgramError) -> AssemblyError {
    let kind = match e {
        ProgramError::Empty => ErrorKind::EmptyProgram,
        ProgramError::TooLarge(_) => ErrorKind::ProgramTooLarge,
        ProgramError::TooDeep(_) => ErrorKind::TreeTooDeep,
        // the assembler gives hperm a block of its own; a span never holds it
        ProgramError::NotInSpan(i) => ErrorKind::UnknownInstruction { name: i.to_string(), suggestion: None },
        // the assembler places hints in order, within their span
        ProgramError::HintPosition(..) => ErrorKind::EmptyProgram,
        ProgramError::BadImmediate { instruction } => ErrorKind::BadImmediate {
            instruction: instruction.to_string(),
            text: String::new(),
            reason: "out of range".into(),
        },
    };
    AssemblyError::at(token, kind)
}

/// Whether `name` can name a constant: capital letters, digits and `_`, starting with a letter.
fn is_constant_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The `const.NAME=VALUE` declarations that open the source, and the tokens after them.
#[allow(clippy::type_complexity)]
fn constants<'t, 'a>(tokens: &'t [Token<'a>]) -> Result<(Vec<(&'a str, Felt)>, &'t [Token<'a>]), AssemblyError> {
    let mut constants: Vec<(&str, Felt)> = Vec::new();
    let mut first = 0;
    for token in tokens {
        let Some(declaration) = token.text.strip_prefix("const.") else { break };
        let bad = |reason: &str| {
            AssemblyError::at(token, ErrorKind::BadConstant { text: token.text.into(), reason: reason.into() })
        };
        let (name, value) = declaration.split_once('=').ok_or_else(|| bad("write it as const.NAME=VALUE"))?;
        if !is_constant_name(name) {
            return Err(bad("a name is capital letters, digits and '_', starting with a letter"));
        }
        if constants.iter().any(|(n, _)| *n == name) {
            return Err(bad("this name is already declared"));
        }
        let value = parse_felt(value).map_err(|e| bad(&e.to_string()))?;
        constants.push((name, value));
        first += 1;
    }
    // a declaration anywhere else is an error, not an unknown instruction
    if let Some(late) = tokens[first..].iter().find(|t| t.text.starts_with("const.")) {
        return Err(AssemblyError::at(
            late,
            ErrorKind::BadConstant {
                text: late.text.into(),
                reason: "constants are declared at the top, before any procedure and 'begin'".into(),
            },
        ));
    }
    Ok((constants, &tokens[first..]))
}

/// The token with a constant's value in place of the immediate that names it (`push.MAX` is
/// `push.4294967295`), or `None` if it names none. Procedure names and assertion messages are
/// left alone.
fn substitute(token: &Token, constants: &[(&str, Felt)]) -> Result<Option<String>, AssemblyError> {
    let Some((name, imm)) = token.text.split_once('.') else { return Ok(None) };
    // proc.NAME.N and export.NAME.N: N may name a constant
    if let ("proc" | "export", Some((id, n))) = (name, imm.split_once('.')) {
        if !is_constant_name(n) {
            return Ok(None);
        }
        return match constants.iter().find(|(c, _)| *c == n) {
            Some((_, value)) => Ok(Some(format!("{name}.{id}.{}", value.as_int()))),
            None => Err(AssemblyError::at(token, ErrorKind::UnknownConstant(n.into()))),
        };
    }
    if matches!(name, "exec" | "proc" | "export" | "const" | "use") || !is_constant_name(imm) {
        return Ok(None);
    }
    match constants.iter().find(|(n, _)| *n == imm) {
        Some((_, value)) => Ok(Some(format!("{name}.{}", value.as_int()))),
        None => Err(AssemblyError::at(token, ErrorKind::UnknownConstant(imm.into()))),
    }
}

/// Assembles `source` into a program (with the standard library: [`Assembler::new`]).
pub fn assemble(source: &str) -> Result<Program, AssemblyError> {
    Assembler::new().assemble(source)
}

/// Assembles `source` into a program and the map from its instructions and conditions back to
/// the source, for pointing execution errors at a line and column (with the standard library:
/// [`Assembler::new`]).
pub fn assemble_with_source_map(source: &str) -> Result<(Program, SourceMap), AssemblyError> {
    Assembler::new().assemble_with_source_map(source)
}

/// The standard library's modules (`std::PATH`), built into the assembler.
const STD_MODULES: &[(&str, &str)] = &[
    ("collections::smt", include_str!("../std/collections/smt.dasm")),
    ("crypto::blake3", include_str!("../std/crypto/blake3.dasm")),
    ("crypto::rescue", include_str!("../std/crypto/rescue.dasm")),
    ("crypto::sha256", include_str!("../std/crypto/sha256.dasm")),
    ("crypto::sig", include_str!("../std/crypto/sig.dasm")),
    ("math::u64", include_str!("../std/math/u64.dasm")),
];

/// A library: a namespace (its name, the first part of its modules' paths) and the sources of
/// its modules, each under its path in the library (`math::u64` for `std::math::u64`).
#[derive(Clone, Debug)]
pub struct Library {
    namespace: String,
    modules: std::collections::BTreeMap<String, Arc<str>>,
}

/// Why a library cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LibraryError {
    /// A folder or file could not be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// What could not be read.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A library, folder or module name that is not an identifier.
    #[error("'{0}' cannot name a library or module: use letters, digits and '_', starting with a letter or '_'")]
    BadName(String),
    /// Two libraries with one name (the standard library is `std`).
    #[error("a library named '{0}' is already given")]
    Duplicate(String),
    /// Two modules of a library with one path (`a/b.dasm` and a file named `a::b.dasm`).
    #[error("two modules of the library have the path '{0}'")]
    DuplicateModule(String),
}

impl Library {
    /// The standard library, `std` (see `docs/isa.md`).
    pub fn std() -> Library {
        Library {
            namespace: "std".into(),
            modules: STD_MODULES.iter().map(|(path, source)| (path.to_string(), Arc::from(*source))).collect(),
        }
    }

    /// A library named `namespace` with these modules (path in the library, source).
    pub fn new(namespace: &str, modules: impl IntoIterator<Item = (String, String)>) -> Result<Library, LibraryError> {
        if !is_identifier(namespace) {
            return Err(LibraryError::BadName(namespace.into()));
        }
        let mut map = std::collections::BTreeMap::new();
        for (path, source) in modules {
            if let Some(bad) = path.split("::").find(|part| !is_identifier(part)) {
                return Err(LibraryError::BadName(bad.into()));
            }
            if map.insert(path.clone(), Arc::from(source)).is_some() {
                return Err(LibraryError::DuplicateModule(path));
            }
        }
        Ok(Library { namespace: namespace.into(), modules: map })
    }

    /// The library in a folder: its name is the folder's (as given, not where a link leads),
    /// and each `.dasm` file in it or in a folder below is a module, `a/b/c.dasm` the module
    /// `NAME::a::b::c`. Links are followed (a folder reached twice is read once); names that
    /// start with `.` (editors' lock and backup files) and anything but regular files and
    /// folders (a FIFO, a dangling link) are left out, as are files not ending in `.dasm`.
    pub fn from_dir(dir: &std::path::Path) -> Result<Library, LibraryError> {
        let io = |path: &std::path::Path, e: std::io::Error| LibraryError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let canonical = dir.canonicalize().map_err(|e| io(dir, e))?;
        // the name as given (`--lib ../mylib`), unless the path ends in `.` or `..`
        let named = match dir.file_name() {
            Some(name) => std::path::Path::new(name),
            None => canonical.as_path(),
        };
        let namespace = named.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut modules = Vec::new();
        let mut seen = vec![canonical.clone()];
        let mut folders = vec![(canonical, String::new())];
        while let Some((folder, prefix)) = folders.pop() {
            let entries = std::fs::read_dir(&folder).map_err(|e| io(&folder, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| io(&folder, e))?;
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                // (following links; a dangling one is left out)
                let Ok(metadata) = std::fs::metadata(&path) else { continue };
                let join = |part: &str| if prefix.is_empty() { part.to_string() } else { format!("{prefix}::{part}") };
                if metadata.is_dir() {
                    let target = path.canonicalize().map_err(|e| io(&path, e))?;
                    if !seen.contains(&target) {
                        seen.push(target.clone());
                        folders.push((target, join(&name)));
                    }
                } else if let (true, Some(stem)) = (metadata.is_file(), name.strip_suffix(".dasm")) {
                    let source = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                    modules.push((join(stem), source));
                }
            }
        }
        Library::new(&namespace, modules)
    }

    /// The library's name.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Its modules' paths in the library.
    pub fn modules(&self) -> impl Iterator<Item = &str> {
        self.modules.keys().map(String::as_str)
    }
}

/// An assembler with a set of libraries (the standard library always among them) from which
/// programs import modules (`use.LIBRARY::…::MODULE`).
#[derive(Clone, Debug)]
pub struct Assembler {
    libraries: Vec<Library>,
}

impl Default for Assembler {
    fn default() -> Self {
        Assembler::new()
    }
}

impl Assembler {
    /// An assembler with the standard library.
    pub fn new() -> Self {
        Assembler { libraries: vec![Library::std()] }
    }

    /// This assembler with one more library (its name must differ from the others').
    pub fn with_library(mut self, library: Library) -> Result<Self, LibraryError> {
        if self.libraries.iter().any(|l| l.namespace == library.namespace) {
            return Err(LibraryError::Duplicate(library.namespace));
        }
        self.libraries.push(library);
        Ok(self)
    }

    /// Assembles `source` into a program.
    pub fn assemble(&self, source: &str) -> Result<Program, AssemblyError> {
        self.assemble_with_source_map(source).map(|(program, _)| program)
    }

    /// Assembles `source` into a program and the map from its instructions and conditions
    /// back to the source. An instruction that comes from a library module points at the
    /// `exec` in the program that called into the library (named as written).
    pub fn assemble_with_source_map(&self, source: &str) -> Result<(Program, SourceMap), AssemblyError> {
        let mut context = Context { libraries: &self.libraries, loaded: Vec::new(), loading: Vec::new() };
        match parse_unit(source, &mut context, None)? {
            Unit::Program(program, map) => Ok((program, map)),
            Unit::Module(_) => unreachable!("a program parses to a program"),
        }
    }
}

/// A parsed library module: its procedures, with whether each is exported.
struct Module {
    procedures: Vec<(String, Procedure)>,
}

/// A procedure's parsed body (its locals' addresses relative to its frame), its cycles and
/// whether other modules may call it.
struct Procedure {
    body: Vec<Node>,
    size: usize,
    exported: bool,
}

/// What a source parses to.
enum Unit {
    Program(Program, SourceMap),
    Module(Module),
}

/// The modules of one assembly: the libraries, the modules parsed so far (each once), and the
/// chain of modules being parsed (for import cycles).
struct Context<'l> {
    libraries: &'l [Library],
    loaded: Vec<(String, std::rc::Rc<Module>)>,
    loading: Vec<String>,
}

impl Context<'_> {
    /// The module at `path`, parsed (once), for the `use` at `token`.
    fn load(&mut self, path: &str, token: &Token) -> Result<std::rc::Rc<Module>, AssemblyError> {
        if let Some((_, m)) = self.loaded.iter().find(|(p, _)| p == path) {
            return Ok(m.clone());
        }
        // (each level is a recursion of the parser)
        if self.loading.len() >= MAX_IMPORT_DEPTH {
            return Err(AssemblyError::at(token, ErrorKind::ImportsTooDeep));
        }
        if let Some(i) = self.loading.iter().position(|p| p == path) {
            let chain: Vec<&str> = self.loading[i..].iter().map(String::as_str).chain([path]).collect();
            return Err(AssemblyError::at(token, ErrorKind::ImportCycle(chain.join(" -> "))));
        }
        let unknown = || {
            let libraries: Vec<&str> = self.libraries.iter().map(|l| l.namespace.as_str()).collect();
            AssemblyError::at(token, ErrorKind::UnknownModule { path: path.into(), libraries: libraries.join(", ") })
        };
        let (namespace, rest) = path.split_once("::").ok_or_else(unknown)?;
        let source = self
            .libraries
            .iter()
            .find(|l| l.namespace == namespace)
            .and_then(|l| l.modules.get(rest))
            .cloned()
            .ok_or_else(unknown)?;
        self.loading.push(path.into());
        let parsed = parse_unit(&source, self, Some(path));
        self.loading.pop();
        let module = match parsed {
            Ok(Unit::Module(m)) => std::rc::Rc::new(m),
            Ok(Unit::Program(..)) => unreachable!("a module parses to a module"),
            Err(mut e) => {
                // (an error in a module it imports keeps that module)
                e.module.get_or_insert_with(|| Box::new(ModuleSource { path: path.into(), source: source.clone() }));
                return Err(e);
            }
        };
        self.loaded.push((path.into(), module.clone()));
        Ok(module)
    }
}

/// The nodes of an imported procedure's body as called by the `exec` at `site` (written
/// `word`): they point at the call, which an execution error or a debugger shows, and keep
/// their assertion messages and local addresses.
fn imported_at(nodes: &[Node], site: Location, word: &str) -> Vec<Node> {
    let word: Arc<str> = Arc::from(word);
    map_origins(nodes, &mut |o: &Origin| Origin {
        at: site,
        calls: None,
        word: Some(word.clone()),
        message: o.message.clone(),
        local: o.local,
    })
}

/// Parses a program (`module` = `None`) or the library module at path `module`.
fn parse_unit(source: &str, context: &mut Context, module: Option<&str>) -> Result<Unit, AssemblyError> {
    let tokens = tokenize(source);
    // imports first: use.LIBRARY::…::MODULE, the module then named by its last part
    let mut imports: Vec<(&str, String, std::rc::Rc<Module>)> = Vec::new();
    let mut first = 0;
    for token in &tokens {
        let Some(path) = token.text.strip_prefix("use.") else { break };
        let parts: Vec<&str> = path.split("::").collect();
        if parts.len() < 2 || !parts.iter().all(|p| is_identifier(p)) {
            return Err(AssemblyError::at(token, ErrorKind::BadModulePath(path.into())));
        }
        let alias = parts[parts.len() - 1];
        if imports.iter().any(|(a, _, _)| *a == alias) {
            return Err(AssemblyError::at(token, ErrorKind::DuplicateImport(alias.into())));
        }
        let loaded = context.load(path, token)?;
        imports.push((alias, path.to_string(), loaded));
        first += 1;
    }
    // named constants, declared next, replace the immediates that name them
    let (constants, rest) = constants(&tokens[first..])?;
    let substituted: Vec<Option<String>> = rest.iter().map(|t| substitute(t, &constants)).collect::<Result<_, _>>()?;
    let tokens: Vec<Token> = rest
        .iter()
        .zip(&substituted)
        .map(|(t, s)| Token { text: s.as_deref().unwrap_or(t.text), line: t.line, column: t.column })
        .collect();
    let mut iter = tokens.iter();
    // name, body, size, locals, exported
    let mut procs: Vec<(&str, Vec<Node>, usize, u64, bool)> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // every closed block's opener and the `end` that closed it, for the error when the source
    // ends with a block open
    let mut closed: Vec<(Token, Token)> = Vec::new();
    let unexpected = |t: &Token, reason| AssemblyError::at(t, ErrorKind::Unexpected { token: t.text.into(), reason });
    while let Some(token) = iter.next() {
        let item = parse_token(token)?;
        let Some(top) = stack.last_mut() else {
            // outside any block: procedure declarations, then the program
            match item {
                Item::Proc(name, locals, exported) => {
                    if exported && module.is_none() {
                        return Err(unexpected(
                            token,
                            "'export' declares a library module's public procedures; a program's are proc.NAME",
                        ));
                    }
                    if procs.iter().any(|(n, ..)| *n == name) {
                        return Err(AssemblyError::at(token, ErrorKind::DuplicateProcedure(name.into())));
                    }
                    stack.push(Frame {
                        opener: token.clone(),
                        open: Open::Proc(name, locals, exported),
                        body: Vec::new(),
                        size: 0,
                    });
                }
                Item::Begin if module.is_some() => {
                    return Err(unexpected(token, "a library module has no 'begin': it declares procedures"))
                }
                Item::Begin => {
                    stack.push(Frame { opener: token.clone(), open: Open::Begin, body: Vec::new(), size: 0 })
                }
                _ if module.is_some() => {
                    return Err(unexpected(token, "a library module holds procedures: proc.NAME or export.NAME … end"))
                }
                _ => return Err(AssemblyError::at(token, ErrorKind::ExpectedBegin(token.text.into()))),
            }
            continue;
        };
        match item {
            Item::Instruction(inst) => {
                let node = [Node::Instruction(inst, Origin::at((token.line, token.column)))];
                let size = size_of(&node);
                top.add(&node, size, token)?
            }
            Item::Asserting(instructions, message) => {
                // (assert_eq is composite: its failure names the word written, then the message)
                let word = token.text.split_once('.').map(|(name, _)| name).filter(|n| *n != "assert");
                let origin = Origin {
                    at: (token.line, token.column),
                    calls: None,
                    word: word.map(Arc::from),
                    message: Some(Arc::from(message)),
                    local: false,
                };
                let nodes: Vec<Node> = instructions.iter().map(|i| Node::Instruction(*i, origin.clone())).collect();
                let size = size_of(&nodes);
                top.add(&nodes, size, token)?
            }
            // (a decorator costs no cycle, but counts as an element toward the program's size
            // limit, so that copies of decorators are bounded like copies of instructions)
            Item::Debug(debug) => top.add(&[Node::Debug(debug, Origin::at((token.line, token.column)))], 1, token)?,
            Item::Hinted(hint, instructions) => {
                let origin = Origin::written(token);
                let mut nodes = vec![Node::Hint(hint, Origin::at((token.line, token.column)))];
                nodes.extend(instructions.iter().map(|i| Node::Instruction(*i, origin.clone())));
                let size = size_of(&nodes);
                top.add(&nodes, size, token)?
            }
            Item::Macro(instructions) => {
                let origin = Origin::written(token);
                let nodes: Vec<Node> = instructions.iter().map(|i| Node::Instruction(*i, origin.clone())).collect();
                let size = size_of(&nodes);
                top.add(&nodes, size, token)?
            }
            Item::If | Item::While | Item::Repeat(_) => {
                let control_depth = stack.iter().filter(|f| matches!(f.open, Open::If { .. } | Open::While)).count();
                if !matches!(item, Item::Repeat(_)) && control_depth >= MAX_NESTING {
                    return Err(AssemblyError::at(token, ErrorKind::NestingTooDeep));
                }
                let open = match item {
                    Item::If => Open::If { then: None },
                    Item::While => Open::While,
                    Item::Repeat(n) => Open::Repeat(n),
                    _ => unreachable!("matched above"),
                };
                stack.push(Frame { opener: token.clone(), open, body: Vec::new(), size: 0 });
            }
            Item::Else => match &mut top.open {
                Open::If { then } if then.is_none() => {
                    *then = Some(std::mem::take(&mut top.body));
                }
                Open::If { .. } => return Err(unexpected(token, "this 'if.true' already has an 'else'")),
                _ => return Err(unexpected(token, "'else' belongs inside an 'if.true' block")),
            },
            Item::Exec(name) => {
                if stack.iter().any(|f| matches!(f.open, Open::Proc(p, ..) if p == name)) {
                    return Err(AssemblyError::at(token, ErrorKind::RecursiveProcedure(name.into())));
                }
                let site = (token.line, token.column);
                // an imported procedure (MODULE::NAME), or one declared above
                let imported;
                let (body, size) = match name.split_once("::") {
                    Some((alias, procedure)) => {
                        let Some((_, path, m)) = imports.iter().find(|(a, _, _)| *a == alias) else {
                            return Err(AssemblyError::at(token, ErrorKind::NotImported(alias.into())));
                        };
                        let Some((_, p)) = m.procedures.iter().find(|(n, p)| n == procedure && p.exported) else {
                            let private = m.procedures.iter().any(|(n, _)| n == procedure);
                            let kind = ErrorKind::NotExported { module: path.clone(), name: procedure.into(), private };
                            return Err(AssemblyError::at(token, kind));
                        };
                        imported = imported_at(&p.body, site, token.text);
                        (&imported, &p.size)
                    }
                    None => match procs.iter().find(|(n, ..)| *n == name) {
                        Some((_, body, size, ..)) => (body, size),
                        None => return Err(AssemblyError::at(token, ErrorKind::UnknownProcedure(name.into()))),
                    },
                };
                // the procedure's blocks nest inside the blocks open here
                let open = stack.iter().filter(|f| matches!(f.open, Open::If { .. } | Open::While)).count();
                if open + control_depth(body) > MAX_NESTING {
                    return Err(AssemblyError::at(token, ErrorKind::NestingTooDeep));
                }
                // the callee's frame follows the caller's: inside a procedure its locals move up
                // by the caller's, in the program's body they get their addresses
                let caller_locals = match stack.first().map(|f| &f.open) {
                    Some(Open::Proc(_, locals, _)) => Some(*locals),
                    _ => None,
                };
                // (a call that would pass the size limit is refused before its body is copied)
                if stack.last().map_or(0, |f| f.size).saturating_add(*size) > MAX_PROGRAM_ELEMENTS {
                    return Err(AssemblyError::at(token, ErrorKind::ProgramTooLarge));
                }
                let nodes = called_at(body, site, &Arc::from(name));
                let nodes = relocate_locals(&nodes, caller_locals).map_err(|kind| AssemblyError::at(token, kind))?;
                let top = stack.last_mut().expect("inside a block");
                top.add(&nodes, *size, token)?;
            }
            Item::Local(index, before, after) => {
                let bad =
                    |reason: String| AssemblyError::at(token, ErrorKind::BadLocal { token: token.text.into(), reason });
                let locals = match stack.first().map(|f| &f.open) {
                    Some(Open::Proc(_, locals, _)) if *locals > 0 => *locals,
                    Some(Open::Proc(name, ..)) => {
                        let keyword = if matches!(stack.first().map(|f| &f.open), Some(Open::Proc(_, _, true))) {
                            "export"
                        } else {
                            "proc"
                        };
                        return Err(bad(format!(
                            "procedure '{name}' declares no locals (declare them: {keyword}.{name}.N)"
                        )));
                    }
                    _ => {
                        return Err(bad("locals belong to procedures (proc.NAME.N), not to the program's body".into()))
                    }
                };
                if index >= locals {
                    return Err(bad(format!("the procedure declares {locals} locals, numbered 0 to {}", locals - 1)));
                }
                let origin = Origin::written(token);
                let push =
                    Node::Instruction(Instruction::Push(Felt::new(index)), Origin { local: true, ..origin.clone() });
                let nodes: Vec<Node> = before
                    .iter()
                    .map(|i| Node::Instruction(*i, origin.clone()))
                    .chain([push])
                    .chain(after.iter().map(|i| Node::Instruction(*i, origin.clone())))
                    .collect();
                let size = size_of(&nodes);
                stack.last_mut().expect("inside a block").add(&nodes, size, token)?
            }
            Item::Proc(..) => {
                return Err(unexpected(token, "procedures are declared before 'begin', outside any block"))
            }
            Item::Begin => return Err(unexpected(token, "a program has one 'begin'")),
            Item::End => {
                let frame = stack.pop().expect("inside a block");
                closed.push((frame.opener.clone(), token.clone()));
                match frame.open {
                    Open::Begin => {
                        if let Some(extra) = iter.next() {
                            return Err(AssemblyError::at(extra, ErrorKind::TrailingInput(extra.text.into())));
                        }
                        if frame.body.iter().all(|n| matches!(n, Node::Debug(..))) {
                            return Err(AssemblyError::at(&frame.opener, ErrorKind::EmptyProgram));
                        }
                        let mut map = SourceMap::default();
                        let at = Origin::at((frame.opener.line, frame.opener.column));
                        let root = to_block(&frame.body, &at, &mut map).map_err(|e| program_error(&frame.opener, e))?;
                        return Ok(Unit::Program(Program::from_root(root), map));
                    }
                    Open::Proc(name, locals, exported) => procs.push((name, frame.body, frame.size, locals, exported)),
                    Open::Repeat(times) => {
                        let parent = stack.last_mut().expect("repeat is inside a block");
                        let total = (frame.size as u64)
                            .checked_mul(times)
                            .filter(|t| *t <= MAX_PROGRAM_ELEMENTS as u64)
                            .ok_or_else(|| AssemblyError::at(&frame.opener, ErrorKind::ProgramTooLarge))?;
                        parent.add(&[], total as usize, &frame.opener)?;
                        for _ in 0..if frame.body.is_empty() { 0 } else { times } {
                            // each copy's calls are calls of their own (for debuggers: one
                            // entry per call made)
                            parent.body.extend(renew_calls(&frame.body));
                        }
                    }
                    Open::If { then } => {
                        let at = Origin::at((frame.opener.line, frame.opener.column));
                        let node = match then {
                            Some(then) => Node::If(then, frame.body, at),
                            None => Node::If(frame.body, Vec::new(), at),
                        };
                        let size = size_of(std::slice::from_ref(&node));
                        stack.last_mut().expect("if is inside a block").add(&[node], size, &frame.opener)?;
                    }
                    Open::While => {
                        let node = Node::While(frame.body, Origin::at((frame.opener.line, frame.opener.column)));
                        let size = size_of(std::slice::from_ref(&node));
                        stack.last_mut().expect("while is inside a block").add(&[node], size, &frame.opener)?;
                    }
                }
            }
        }
    }
    let Some(open) = stack.last() else {
        if module.is_some() {
            let procedures = procs
                .into_iter()
                .map(|(name, body, size, _, exported)| (name.to_string(), Procedure { body, size, exported }))
                .collect();
            return Ok(Unit::Module(Module { procedures }));
        }
        let (line, column) = tokens.last().map(|t| (t.line, t.column + t.text.chars().count())).unwrap_or((1, 1));
        return Err(AssemblyError { line, column, kind: ErrorKind::MissingBegin, module: None });
    };
    // The first block, opened inside the one left open, whose `end` sits left of its opener,
    // lined up with an opener before it: by the indentation, that `end` was meant for the outer
    // block, and this block is the one that lacks its `end`.
    let after = |t: &Token, u: &Token| (t.line, t.column) > (u.line, u.column);
    let openers: Vec<&Token> = closed.iter().map(|(o, _)| o).chain(stack.iter().map(|f| &f.opener)).collect();
    let misclosed = closed.iter().find_map(|(opener, end)| {
        if !after(opener, &open.opener) || end.column >= opener.column || end.line <= opener.line {
            return None;
        }
        let outer =
            openers.iter().filter(|o| o.column == end.column && after(opener, o)).max_by_key(|o| (o.line, o.column))?;
        Some((opener, end, *outer))
    });
    if let Some((opener, end, outer)) = misclosed {
        return Err(AssemblyError {
            module: None,
            line: opener.line,
            column: opener.column,
            kind: ErrorKind::MisclosedBlock {
                opener: opener.text.into(),
                line: opener.line,
                column: opener.column,
                end_line: end.line,
                end_column: end.column,
                outer: outer.text.into(),
                outer_line: outer.line,
            },
        });
    }
    let (line, column) = tokens.last().map(|t| (t.line, t.column + t.text.chars().count())).unwrap_or((1, 1));
    Err(AssemblyError {
        module: None,
        line,
        column,
        kind: ErrorKind::UnclosedBlock {
            opener: open.opener.text.into(),
            line: open.opener.line,
            column: open.opener.column,
        },
    })
}
