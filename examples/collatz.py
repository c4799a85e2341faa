#!/usr/bin/env python3
"""Writes the inputs file of examples/collatz.dasm for a start value: python3 collatz.py 27"""
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 27
if not 1 <= n < 2**32:
    sys.exit("the start value must be in 1..2^32")
secret = [n]
while n != 1:
    h, b = divmod(n, 2)
    secret += [(h >> i) & 1 for i in reversed(range(31))] + [b]
    n = 3 * n + 1 if b else h
    if n >= 2**32:
        sys.exit("the sequence leaves the 32-bit range")
json.dump({"secret": secret}, sys.stdout, separators=(",", ":"))
print()
