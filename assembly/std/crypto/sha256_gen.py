#!/usr/bin/env python3
"""Prints the bodies of std::crypto::sha256's compressions, unrolled: the message schedule and
the 64 rounds of `compress` (W in locals 0..63), and the rounds of `compress_padding`, whose
block is the constant padding of a 64-byte message, so that each round adds the constant
K[t] + W[t] and no schedule is computed. The state a..h stays on the stack (a on top). Run it
and paste its output into sha256.dasm after changing a round; the std_hashes tests check the
result against the sha2 crate and the NIST vectors."""

K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]
M = 0xFFFFFFFF


def rotr(x, n):
    return ((x >> n) | (x << (32 - n))) & M


def schedule(block):
    w = list(block)
    for t in range(16, 64):
        s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
        s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
        w.append((s1 + w[t - 7] + s0 + w[t - 16]) & M)
    return w


def round_lines(add_kw):
    """One round on [a..h]: T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t] (`add_kw`), T2 = Σ0(a)
    + Maj(a, b, c) with Maj = ((a XOR b) AND c) XOR (a AND b), then [T1 + T2, a, b, c, d + T1,
    e, f, g]."""
    return [
        "dup.4 u32rotr.6 dup.5 u32rotr.11 u32xor dup.5 u32rotr.25 u32xor",
        "dup.6 dup.8 u32xor dup.6 u32and dup.8 u32xor",
        "u32wrapping_add dup.8 u32wrapping_add " + add_kw,
        "dup.1 u32rotr.2 dup.2 u32rotr.13 u32xor dup.2 u32rotr.22 u32xor",
        "dup.3 dup.3 u32andxor dup.6 u32and u32xor",
        "u32wrapping_add dup.1 movup.6 u32wrapping_add movdn.5 u32wrapping_add movup.8 drop",
    ]


def compress():
    out = ["    # W[16..64]: W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]"]
    for t in range(16, 64):
        out.append(
            f"    loc_load.{t - 2} dup u32rotr.17 dup.1 u32rotr.19 u32xor swap u32shr.10 u32xor "
            f"loc_load.{t - 7} u32wrapping_add"
        )
        out.append(
            f"    loc_load.{t - 15} dup u32rotr.7 dup.1 u32rotr.18 u32xor swap u32shr.3 u32xor "
            f"u32wrapping_add loc_load.{t - 16} u32wrapping_add loc_store.{t}"
        )
    out.append("    # keep H for the final addition; the working state a..h starts as H")
    out.append("    dup.3 dup.3 dup.3 dup.3 loc_storew.64")
    out.append("    dup.7 dup.7 dup.7 dup.7 loc_storew.65")
    for t in range(64):
        out.append(f"    # round {t}")
        out += ["    " + l for l in round_lines(f"push.{K[t]} u32wrapping_add loc_load.{t} u32wrapping_add")]
    return out


def compress_padding():
    w = schedule([0x80000000] + [0] * 14 + [512])
    out = ["    dup.3 dup.3 dup.3 dup.3 loc_storew.0", "    dup.7 dup.7 dup.7 dup.7 loc_storew.1"]
    for t in range(64):
        out.append(f"    # round {t}: K[t] + W[t]")
        out += ["    " + l for l in round_lines(f"push.{(K[t] + w[t]) & M} u32wrapping_add")]
    return out


if __name__ == "__main__":
    print("## compress")
    print("\n".join(compress()))
    print("## compress_padding")
    print("\n".join(compress_padding()))
