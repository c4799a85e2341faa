//! The field Distaff computes over, chosen once for the whole workspace.
//!
//! * [`Felt`]: the Goldilocks prime field, p = 2^64 − 2^32 + 1 (winter-math's `f64`). Every
//!   value on the VM's stack, every trace cell and every public input is a `Felt`.
//! * [`QuadFelt`] and [`CubeFelt`]: its quadratic and cubic extensions. Out-of-domain sampling,
//!   the DEEP composition and FRI run in an extension so that the random points the verifier
//!   draws come from a set of 2^128 (or 2^192) elements rather than 2^64.
//!
//! Every other crate imports field types from here, so swapping the field is a one-crate change.
#![no_std]

#[cfg(feature = "std")]
extern crate std;

pub use winter_math::{
    batch_inversion, fft, get_power_series, polynom, ExtensibleField, ExtensionOf, FieldElement, StarkField, ToElements,
};

pub mod lazy;

/// An element of the Goldilocks field, p = 2^64 − 2^32 + 1.
pub type Felt = winter_math::fields::f64::BaseElement;
/// An element of the quadratic extension of [`Felt`] (≈128 bits).
pub type QuadFelt = winter_math::fields::QuadExtension<Felt>;
/// An element of the cubic extension of [`Felt`] (≈192 bits).
pub type CubeFelt = winter_math::fields::CubeExtension<Felt>;

/// The field modulus p = 2^64 − 2^32 + 1.
pub const MODULUS: u64 = 0xFFFF_FFFF_0000_0001;

/// A four-element digest (the output width of Rescue Prime `Rp64_256`).
pub type Word = [Felt; 4];

/// Why a value could not be turned into a field element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeltError {
    /// The value is an integer but not below the modulus.
    #[error("value {0} is not a field element: it must be below p = 18446744069414584321")]
    NotInField(u128),
    /// The text is not a non-negative integer.
    #[error("'{0}' is not a non-negative integer")]
    NotAnInteger(alloc_free::Text),
}

/// A short, allocation-free copy of offending text for error messages (no_std friendly).
pub mod alloc_free {
    use core::fmt;

    /// Up to 40 bytes of text, truncated on a character boundary.
    #[derive(Clone, PartialEq, Eq)]
    pub struct Text {
        buf: [u8; 40],
        len: u8,
        truncated: bool,
    }

    impl Text {
        /// Copies (a prefix of) `s`.
        pub fn new(s: &str) -> Self {
            let mut end = s.len().min(40);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            let mut buf = [0u8; 40];
            buf[..end].copy_from_slice(&s.as_bytes()[..end]);
            Text { buf, len: end as u8, truncated: end < s.len() }
        }

        /// The stored text.
        pub fn as_str(&self) -> &str {
            core::str::from_utf8(&self.buf[..self.len as usize]).unwrap_or("")
        }
    }

    impl fmt::Display for Text {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.as_str())?;
            if self.truncated {
                f.write_str("…")?;
            }
            Ok(())
        }
    }

    impl fmt::Debug for Text {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{:?}", self.as_str())
        }
    }
}

/// Converts an integer to a field element, refusing values at or above the modulus
/// (nothing the user gave is silently reduced).
pub fn felt_from_u128(value: u128) -> Result<Felt, FeltError> {
    if value < MODULUS as u128 {
        Ok(Felt::new(value as u64))
    } else {
        Err(FeltError::NotInField(value))
    }
}

/// Parses a decimal (or `0x`-prefixed hexadecimal) integer below p into a field element.
pub fn parse_felt(text: &str) -> Result<Felt, FeltError> {
    let t = text.trim();
    let parsed = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            None
        } else if hex.trim_start_matches('0').len() > 32 {
            return Err(FeltError::NotInField(u128::MAX));
        } else {
            u128::from_str_radix(hex, 16).ok()
        }
    } else if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        None
    } else if t.trim_start_matches('0').len() > 38 {
        return Err(FeltError::NotInField(u128::MAX));
    } else {
        t.parse::<u128>().ok()
    };
    match parsed {
        Some(v) => felt_from_u128(v),
        None => Err(FeltError::NotAnInteger(alloc_free::Text::new(t))),
    }
}

/// Encodes a word as 64 lower-case hex characters (each element little-endian, canonical form).
pub fn word_to_hex(word: &Word) -> [u8; 64] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, e) in word.iter().enumerate() {
        for (j, b) in e.as_int().to_le_bytes().iter().enumerate() {
            out[i * 16 + j * 2] = HEX[(b >> 4) as usize];
            out[i * 16 + j * 2 + 1] = HEX[(b & 15) as usize];
        }
    }
    out
}

/// Parses 64 hex characters (as written by [`word_to_hex`]) back into a word; every element must
/// be canonical (below p).
pub fn word_from_hex(text: &str) -> Option<Word> {
    let t = text.trim();
    let t = t.strip_prefix("0x").unwrap_or(t);
    if t.len() != 64 || !t.is_ascii() {
        return None;
    }
    let mut word = [Felt::ZERO; 4];
    for (i, w) in word.iter_mut().enumerate() {
        let mut bytes = [0u8; 8];
        for (j, b) in bytes.iter_mut().enumerate() {
            let k = i * 16 + j * 2;
            *b = u8::from_str_radix(t.get(k..k + 2)?, 16).ok()?;
        }
        let v = u64::from_le_bytes(bytes);
        if v >= MODULUS {
            return None;
        }
        *w = Felt::new(v);
    }
    Some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_values_outside_the_field() {
        assert_eq!(parse_felt("18446744069414584320").unwrap().as_int(), MODULUS - 1);
        assert!(matches!(parse_felt("18446744069414584321"), Err(FeltError::NotInField(_))));
        assert!(parse_felt("99999999999999999999999999999999999999999").is_err());
        assert!(matches!(parse_felt("-1"), Err(FeltError::NotAnInteger(_))));
        assert!(matches!(parse_felt("1.5"), Err(FeltError::NotAnInteger(_))));
        assert_eq!(parse_felt("0x10").unwrap().as_int(), 16);
        assert!(parse_felt("0x").is_err());
    }

    #[test]
    fn hex_round_trip_and_canonical_check() {
        let w = [Felt::new(1), Felt::new(MODULUS - 1), Felt::ZERO, Felt::new(0xdead_beef)];
        let hex = word_to_hex(&w);
        let s = core::str::from_utf8(&hex).unwrap();
        assert_eq!(word_from_hex(s), Some(w));
        assert_eq!(word_from_hex(&s[..63]), None);
        let bad = "01000000000000000100000000000000ffffffffffffffff0000000000000000";
        // 0xffffffffffffffff as an element is not canonical
        assert_eq!(word_from_hex(bad), None);
    }
}
