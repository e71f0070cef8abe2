#!/usr/bin/env python3
"""Write the seed corpus of engine/fuzz/fuzz_itemenc: stored item records in the itemenc layout
(engine/itemenc.c's header; docs/storage-format.md), valid ones of every type and a few corrupt
ones. Rewrites corpus_itemenc/ next to this file."""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
S, N, B, FALSE, TRUE, NULL, M, L, SS, NS, BS = range(1, 12)


def varint(n, pad=0):
    out = bytearray()
    while True:
        c = n & 0x7F
        n >>= 7
        if n or pad:
            out.append(c | 0x80)
            if not n:
                pad -= 1
                if pad == 0:
                    out.append(0)
                    break
                continue
        else:
            out.append(c)
            break
    return bytes(out)


def by(s):
    s = s.encode() if isinstance(s, str) else s
    return varint(len(s)) + s


def val(v):
    t, x = v
    if t in (S, N, B):
        return bytes([t]) + by(x)
    if t == "BOOL":
        return bytes([TRUE if x else FALSE])
    if t == NULL:
        return bytes([NULL])
    if t == M:
        return bytes([M]) + members(x)
    if t == L:
        return bytes([L]) + varint(len(x)) + b"".join(val(e) for e in x)
    return bytes([t]) + varint(len(x)) + b"".join(by(e) for e in x)


def members(m):
    return varint(len(m)) + b"".join(by(k) + val(v) for k, v in m)


def item(m):
    return b"\x01" + members(m)


SEEDS = {
    "empty-item": item([]),
    "example": item([("pk", (S, "a")), ("n", (N, "12"))]),
    "keys": item([("pk", (S, "user#1")), ("sk", (N, "-3.25")), ("b", (B, b"\x00\x01\xff")),
                  ("s2", (S, "user#10")), ("n2", (N, "100")), ("b2", (B, b"\x00")), ("z", (N, "0"))]),
    "every-type": item([("s", (S, "x\x00y")), ("n", (N, "1.5")), ("b", (B, b"\x00")), ("t", ("BOOL", True)),
                        ("f", ("BOOL", False)), ("nul", (NULL, None)),
                        ("m", (M, [("k", (S, "v")), ("l", (L, [(N, "1"), (S, "2")]))])),
                        ("ss", (SS, ["a", "b"])), ("ns", (NS, ["1", "-1e5"])), ("bs", (BS, [b"\x01", b"\x02"]))]),
    "nested": item([("deep", (M, [("a", (L, [(M, [("b", (L, [(L, [(NULL, None)])]))])]))]))]),
    "long-string": item([("s", (S, "x" * 300)), ("n", (N, "9" * 38))]),
    "dup-names": item([("a", (S, "1")), ("a", (N, "1"))]),
    "invalid-number": item([("n", (N, "1e5")), ("m", (N, "abc"))]),
    "set-duplicates": item([("ns", (NS, ["1", "1.0"])), ("ss", (SS, ["a", "a"]))]),
    "empty-sets": item([("ss", (SS, [])), ("l", (L, [])), ("m", (M, []))]),
    "nonminimal-varint": b"\x01" + varint(1, pad=2) + by("a") + bytes([S]) + varint(1, pad=1) + b"x",
    "bad-version": b"\x02\x00",
    "bad-tag": b"\x01\x01\x01a\x0c",
    "bad-count": b"\x01\xff\xff\xff\xff\x0f",
    "truncated": item([("pk", (S, "abcdef"))])[:-2],
    "trailing-byte": item([("pk", (S, "a"))]) + b"\x00",
}

if __name__ == "__main__":
    d = os.path.join(HERE, "corpus_itemenc")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in SEEDS.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
