#!/usr/bin/env python3
"""Prints the rounds of std::crypto::blake3::compress (the body after the state is on the stack).

The state v0..v15 stays on the stack; each G brings its four words to the top with movup from
wherever the previous G left them (`g` leaves [b', c', d', a']) and loads its two message words
from locals 0..15, the message permutation of each round applied here. Run it and paste
its output into blake3.dasm after changing G or the layout; the std_hashes tests check the
result against the blake3 crate."""
PERM = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8]
IV = [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A]
COLS = [(0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
        (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)]
out = []
stack = list(range(16))  # state indices, top first
def movup(x):
    p = stack.index(x)
    assert p <= 15
    if p == 0:
        return None
    stack.insert(0, stack.pop(p))
    return f"movup.{p}"
msg = list(range(16))
rounds = []
for r in range(7):
    lines = []
    for g, (a, b, c, d) in enumerate(COLS):
        ops = [movup(x) for x in (d, c, b, a)]
        ops = [o for o in ops if o]
        mx, my = msg[2 * g], msg[2 * g + 1]
        ops += [f"loc_load.{my}", f"loc_load.{mx}", "exec.g"]
        # g: [mx, my, a, b, c, d] -> [b', c', d', a']
        assert stack[:4] == [a, b, c, d]
        stack[:4] = [b, c, d, a]
        lines.append(" ".join(ops))
    rounds.append(lines)
    msg = [msg[PERM[i]] for i in range(16)]
final = []
for i in reversed(range(8)):
    ops = [o for o in (movup(i + 8), movup(i)) if o]
    # xor consumes both: result tagged
    assert stack[0] == i and stack[1] == i + 8
    stack[:2] = [f"h{i}"]
    ops.append("u32xor")
    final.append(" ".join(ops))
assert stack == [f"h{i}" for i in range(8)], stack
body = []
for r, lines in enumerate(rounds):
    body.append(f"    # round {r + 1}")
    for l in lines:
        body.append("    " + l)
body.append("    # h_i = v_i ^ v_(i+8), h7 first")
for l in final:
    body.append("    " + l)
print("\n".join(body))
