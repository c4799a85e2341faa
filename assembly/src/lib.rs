//! Distaff assembly: text to [`Program`], with errors that point at line and column.
//!
//! ```text
//! # comments run from '#' to the end of the line
//! begin
//!     push.1 push.0x10 add      # immediates are decimal or 0x-hex, below p
//!     repeat.3 dup.1 mul end    # blocks repeat (expanded when assembled)
//! end
//! ```
//!
//! A program is `begin … end`; tokens are separated by white space; one instruction per token
//! with its immediate written `.N`. See `docs/isa.md` for the instructions.
#![deny(missing_docs)]

use distaff_air::program::MAX_PROGRAM_ELEMENTS;
use distaff_air::{Instruction, Program, ProgramError};
use distaff_math::{parse_felt, FeltError};

/// An assembly error, located at a 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct AssemblyError {
    /// Line of the offending token (1-based).
    pub line: usize,
    /// Column of the offending token (1-based, in characters).
    pub column: usize,
    /// What is wrong.
    pub kind: ErrorKind,
}

/// What is wrong with the source.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// The first token is not `begin`.
    #[error("expected 'begin', found '{0}'")]
    ExpectedBegin(String),
    /// The source has no `begin`.
    #[error("expected 'begin', found the end of the source")]
    MissingBegin,
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
}

const INSTRUCTIONS: &[&str] = &[
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
    "dup",
    "swap",
    "movup",
    "movdn",
    "repeat",
    "begin",
    "end",
];

impl AssemblyError {
    fn at(token: &Token, kind: ErrorKind) -> Self {
        AssemblyError { line: token.line, column: token.column, kind }
    }

    /// The error with the offending source line and a caret under the column, rustc style.
    pub fn render(&self, source: &str) -> String {
        let text = source.lines().nth(self.line.saturating_sub(1)).unwrap_or("");
        let gutter = self.line.to_string().len();
        let pad: String =
            text.chars().take(self.column.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        format!("{}\n{:gutter$} |\n{} | {}\n{:gutter$} | {}^", self, "", self.line, text, "", pad, gutter = gutter)
    }
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
        let code = match line.find('#') {
            Some(k) => &line[..k],
            None => line,
        };
        let mut start: Option<usize> = None;
        for (byte, ch) in code.char_indices().chain(std::iter::once((code.len(), ' '))) {
            if ch.is_whitespace() {
                if let Some(s) = start.take() {
                    let column = code[..s].chars().count() + 1;
                    tokens.push(Token { text: &code[s..byte], line: i + 1, column });
                }
            } else if start.is_none() {
                start = Some(byte);
            }
        }
    }
    tokens
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

/// One parsed instruction or block marker.
enum Item {
    Instruction(Instruction),
    Repeat(u64),
    End,
}

fn parse_token(token: &Token) -> Result<Item, AssemblyError> {
    let (name, imm) = match token.text.split_once('.') {
        Some((n, i)) => (n, Some(i)),
        None => (token.text, None),
    };
    let no_imm = |inst: Instruction| match imm {
        None => Ok(Item::Instruction(inst)),
        Some(_) => Err(AssemblyError::at(token, ErrorKind::UnexpectedImmediate(name.into()))),
    };
    let missing = || AssemblyError::at(token, ErrorKind::MissingImmediate(name.into()));
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
        "assert" => no_imm(Assert),
        "assert_eq" => no_imm(AssertEq),
        "end" => match imm {
            None => Ok(Item::End),
            Some(_) => Err(AssemblyError::at(token, ErrorKind::UnexpectedImmediate(name.into()))),
        },
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
        "repeat" => Ok(Item::Repeat(small_immediate(token, name, imm.ok_or_else(missing)?, 1..=u32::MAX as u64)?)),
        _ => Err(AssemblyError::at(
            token,
            ErrorKind::UnknownInstruction { name: token.text.into(), suggestion: suggest(name) },
        )),
    }
}

/// An open block: where it started, how often it repeats, and its body so far.
struct Block<'a> {
    opener: Token<'a>,
    times: u64,
    body: Vec<Instruction>,
    elements: usize,
}

fn elements_of(inst: &Instruction) -> usize {
    inst.cycles()
}

/// Assembles `source` into a program.
pub fn assemble(source: &str) -> Result<Program, AssemblyError> {
    let tokens = tokenize(source);
    let mut iter = tokens.iter();
    let first = match iter.next() {
        Some(t) => t,
        None => return Err(AssemblyError { line: 1, column: 1, kind: ErrorKind::MissingBegin }),
    };
    if first.text != "begin" {
        return Err(AssemblyError::at(first, ErrorKind::ExpectedBegin(first.text.into())));
    }
    let mut stack = vec![Block { opener: first.clone(), times: 1, body: Vec::new(), elements: 0 }];
    for token in iter.by_ref() {
        match parse_token(token)? {
            Item::Instruction(inst) => {
                let top = stack
                    .last_mut()
                    .ok_or_else(|| AssemblyError::at(token, ErrorKind::TrailingInput(token.text.into())))?;
                top.elements += elements_of(&inst);
                if top.elements > MAX_PROGRAM_ELEMENTS {
                    return Err(AssemblyError::at(token, ErrorKind::ProgramTooLarge));
                }
                top.body.push(inst);
            }
            Item::Repeat(times) => {
                stack.push(Block { opener: token.clone(), times, body: Vec::new(), elements: 0 });
            }
            Item::End => {
                let block =
                    stack.pop().ok_or_else(|| AssemblyError::at(token, ErrorKind::TrailingInput(token.text.into())))?;
                match stack.last_mut() {
                    None => {
                        // the program's final `end`
                        if let Some(extra) = iter.next() {
                            return Err(AssemblyError::at(extra, ErrorKind::TrailingInput(extra.text.into())));
                        }
                        return Program::new(block.body).map_err(|e| {
                            let kind = match e {
                                ProgramError::Empty => ErrorKind::EmptyProgram,
                                ProgramError::TooLarge(_) => ErrorKind::ProgramTooLarge,
                                ProgramError::BadImmediate { instruction } => ErrorKind::BadImmediate {
                                    instruction: instruction.to_string(),
                                    text: String::new(),
                                    reason: "out of range".into(),
                                },
                            };
                            AssemblyError::at(&block.opener, kind)
                        });
                    }
                    Some(parent) => {
                        let total = (block.elements as u64)
                            .checked_mul(block.times)
                            .and_then(|t| t.checked_add(parent.elements as u64))
                            .filter(|t| *t <= MAX_PROGRAM_ELEMENTS as u64)
                            .ok_or_else(|| AssemblyError::at(&block.opener, ErrorKind::ProgramTooLarge))?;
                        parent.elements = total as usize;
                        for _ in 0..block.times {
                            parent.body.extend_from_slice(&block.body);
                        }
                    }
                }
            }
        }
    }
    let open = stack.last().map(|b| b.opener.clone()).unwrap_or_else(|| first.clone());
    let (line, column) = tokens.last().map(|t| (t.line, t.column + t.text.chars().count())).unwrap_or((1, 1));
    Err(AssemblyError {
        line,
        column,
        kind: ErrorKind::UnclosedBlock { opener: open.text.into(), line: open.line, column: open.column },
    })
}
