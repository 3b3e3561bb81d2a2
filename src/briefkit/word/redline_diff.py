"""Two sequences of hashable keys in, the edit script between them out (difflib-style opcodes).

A histogram diff (git's `--histogram`, a refinement of the patience diff): in each region the
common key that is rarest in OLD anchors a match, which is grown both ways, and the regions on
either side are compared the same way. Unique anchors (the paragraphs, the rare words) align
first, so a replaced paragraph comes out as one deletion and one insertion instead of a salad of
shared "the" and "of"; a key seen more than `MAX_CHAIN` times in a region never anchors, which
keeps the cost near-linear in the size of the inputs (a rewritten 30,000-word paragraph is a
few hundred thousand steps, where difflib's SequenceMatcher is quadratic).

`semantic_cleanup` then folds short equal runs between two changes into the change (Neil
Fraser's diff-match-patch rule), so "the" kept between two rewritten clauses is not shown as
kept. The result depends only on the inputs: no hashing of objects, no set iteration.
"""

from __future__ import annotations

from typing import Callable, Hashable, Sequence

Opcode = tuple[str, int, int, int, int]  # (tag, i1, i2, j1, j2) as difflib's get_opcodes
MAX_CHAIN = 64


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    """(i, j, n) runs with a[i:i+n] == b[j:j+n], increasing in i and j."""
    blocks: list[tuple[int, int, int]] = []
    regions = [(0, len(a), 0, len(b))]
    while regions:
        a1, a2, b1, b2 = regions.pop()
        # common prefix and suffix first: most of an edited document is unchanged
        start = 0
        while a1 + start < a2 and b1 + start < b2 and a[a1 + start] == b[b1 + start]:
            start += 1
        if start:
            blocks.append((a1, b1, start))
            a1, b1 = a1 + start, b1 + start
        end = 0
        while a2 - end > a1 and b2 - end > b1 and a[a2 - end - 1] == b[b2 - end - 1]:
            end += 1
        if end:
            blocks.append((a2 - end, b2 - end, end))
            a2, b2 = a2 - end, b2 - end
        if a1 == a2 or b1 == b2:
            continue
        anchor = _rarest_match(a, b, a1, a2, b1, b2)
        if anchor is None:
            continue
        i, j, n = anchor
        blocks.append((i, j, n))
        regions.append((a1, i, b1, j))
        regions.append((i + n, a2, j + n, b2))
    blocks.sort()
    return blocks


def _rarest_match(a, b, a1, a2, b1, b2):
    """The longest match around the key that is rarest in OLD's region among those both
    regions share (None if they share none that is rare enough)."""
    positions: dict[Hashable, list[int]] = {}
    for i in range(a1, a2):
        positions.setdefault(a[i], []).append(i)
    best = None  # (occurrences, -length, i, j)
    j = b1
    while j < b2:
        found = positions.get(b[j])
        next_j = j + 1
        if found and len(found) <= MAX_CHAIN and (best is None or len(found) <= best[0]):
            for i in found:
                s = 0
                while i - s > a1 and j - s > b1 and a[i - s - 1] == b[j - s - 1]:
                    s += 1
                e = 1
                while i + e < a2 and j + e < b2 and a[i + e] == b[j + e]:
                    e += 1
                candidate = (len(found), -(s + e), i - s, j - s)
                if best is None or candidate < best:
                    best = candidate
                next_j = max(next_j, j + e)  # a match is not searched again from inside
        j = next_j
    if best is None:
        return None
    return best[2], best[3], -best[1]


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """difflib's `get_opcodes()` for the histogram alignment of `a` and `b`."""
    out: list[Opcode] = []
    i = j = 0
    for bi, bj, n in matching_blocks(a, b) + [(len(a), len(b), 0)]:
        if i < bi and j < bj:
            out.append(("replace", i, bi, j, bj))
        elif i < bi:
            out.append(("delete", i, bi, j, j))
        elif j < bj:
            out.append(("insert", i, i, j, bj))
        if n:
            out.append(("equal", bi, bi + n, bj, bj + n))
        i, j = bi + n, bj + n
    return _merged(out)


def _merged(ops: list[Opcode]) -> list[Opcode]:
    out: list[Opcode] = []
    for op in ops:
        if out and out[-1][0] == op[0] == "equal":
            tag, i1, _, j1, _ = out[-1]
            out[-1] = (tag, i1, op[2], j1, op[4])
        elif out and out[-1][0] != "equal" and op[0] != "equal":
            _, i1, _, j1, _ = out[-1]
            i2, j2 = op[2], op[4]
            tag = "replace" if i2 > i1 and j2 > j1 else ("delete" if i2 > i1 else "insert")
            out[-1] = (tag, i1, i2, j1, j2)
        else:
            out.append(op)
    return out


def semantic_cleanup(ops: list[Opcode], weight: Callable[[int, int, str], int]) -> list[Opcode]:
    """Fold an equal run into the changes around it when it weighs no more than the changes
    on each side (`weight(start, end, side)` measures a[start:end] or b[start:end] in
    characters); repeated until nothing folds."""
    ops = list(ops)
    k = 1
    while k < len(ops) - 1:
        tag, i1, i2, j1, j2 = ops[k]
        if tag != "equal" or ops[k - 1][0] == "equal" or ops[k + 1][0] == "equal":
            k += 1
            continue
        kept = weight(i1, i2, "a")
        before = max(
            weight(ops[k - 1][1], ops[k - 1][2], "a"), weight(ops[k - 1][3], ops[k - 1][4], "b")
        )
        after = max(
            weight(ops[k + 1][1], ops[k + 1][2], "a"), weight(ops[k + 1][3], ops[k + 1][4], "b")
        )
        if kept <= before and kept <= after:
            first, last = ops[k - 1], ops[k + 1]
            ops[k - 1 : k + 2] = [("replace", first[1], last[2], first[3], last[4])]
            ops = _merged(ops)
            k = max(1, k - 2)  # the wider change may now swallow the equal run before it
        else:
            k += 1
    return _merged(ops)
