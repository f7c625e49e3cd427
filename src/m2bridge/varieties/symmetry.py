"""Cases up to symmetry (MATH.md §1): neuron permutations per hidden layer (the same in every block),
block permutations, and transposition of the network (bias-free cases only: a bias column has no
transpose). Equivalent cases have the same variety up to renaming coordinates, so a sweep computes
one representative per orbit and renames the stored result for the case that was asked for.

>>> canonical_form("3,3,3", "110|011").case   # swap neurons 2 and 3
Case(arch='3,3,3', pattern='011|101', bias=False)
>>> c = canonical_form("3,2,2", "01|11")
>>> c.case, c.transposed
(Case(arch='2,2,3', pattern='01|11', bias=False), True)
>>> c.rename_coordinate((1, 3, 2))   # canonical m_(1,3,2) is entry (2,3) of requested block 1
(1, 2, 3)
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from .model import ActivationPattern, Architecture

Block = tuple[tuple[int, ...], ...]


@dataclass(frozen=True, order=True)
class Case:
    """A bias-free or affine network case in text notation (the form stored and reported)."""

    arch: str
    pattern: str
    bias: bool = False

    @property
    def label(self) -> str:
        return f"{self.arch}:{self.pattern}" + (":bias" if self.bias else "")


@dataclass(frozen=True)
class CanonicalForm:
    """The orbit representative `case` of a requested case, and how to map coordinates back.

    `block_of[c]` is the requested block (0-based) that became canonical block c; `transposed`
    says whether the representative is the transposed network.
    """

    case: Case
    transposed: bool
    block_of: tuple[int, ...]

    def rename_coordinate(self, coordinate: tuple[int, int, int]) -> tuple[int, int, int]:
        """Canonical coordinate (b, i, j), 1-based, → the requested case's coordinate."""
        b, i, j = coordinate
        b = self.block_of[b - 1] + 1
        return (b, j, i) if self.transposed else (b, i, j)


def _block_text(block: Block) -> str:
    return "/".join("".join(map(str, layer)) for layer in block)


def _permuted(block: Block, perms) -> Block:
    return tuple(tuple(layer[p] for p in perm) for layer, perm in zip(block, perms))


def canonical_form(arch, pattern, bias: bool = False) -> CanonicalForm:
    """The lexicographically least equivalent case (architecture, then sorted blocks)."""
    arch = Architecture.parse(arch)
    pattern = ActivationPattern.parse(pattern).check(arch)
    candidates = [(False, arch, pattern.blocks)]
    if not bias:
        candidates.append((True, arch.reversed(), tuple(tuple(reversed(b)) for b in pattern.blocks)))
    best = None
    for transposed, a, blocks in candidates:
        # Every combination of neuron permutations; blocks are then sorted, which picks the best
        # block permutation for that combination.
        for perms in itertools.product(*(itertools.permutations(range(n)) for n in a.hidden)):
            order = sorted(range(len(blocks)), key=lambda b: _block_text(_permuted(blocks[b], perms)))
            key = (a.widths, tuple(_block_text(_permuted(blocks[b], perms)) for b in order))
            if best is None or key < best[0]:
                best = (key, transposed, tuple(order))
    (widths, texts), transposed, order = best
    case = Case(",".join(map(str, widths)), "|".join(texts), bias)
    return CanonicalForm(case, transposed, order)


def is_trivial(arch, pattern, bias: bool = False) -> bool:
    """Every block has an all-zero hidden layer: every M_b is 0 and the variety is a point."""
    if bias:
        return False
    blocks = ActivationPattern.parse(pattern).blocks
    return all(any(not any(layer) for layer in block) for block in blocks) and bool(Architecture.parse(arch).hidden)


def all_block_patterns(arch) -> list[Block]:
    """Every activation pattern of one block for `arch` (one 0/1 vector per hidden layer)."""
    arch = Architecture.parse(arch)
    layers = [list(itertools.product((0, 1), repeat=n)) for n in arch.hidden]
    return [tuple(choice) for choice in itertools.product(*layers)]


@dataclass
class Enumeration:
    """Patterns of k distinct blocks for one architecture: `ordered` counts them before reduction,
    `representatives` maps one requested case per orbit to its canonical form, `trivial` counts
    the (ordered) patterns skipped."""

    ordered: int
    representatives: dict[Case, CanonicalForm]
    trivial: int


def enumerate_patterns(arch, k: int, bias: bool = False) -> Enumeration:
    """All patterns with k distinct blocks for `arch`, reduced up to symmetry.

    Ordered k-tuples are what one would write by hand; block permutations are handled by
    iterating over k-subsets (k! tuples each), so only the other symmetries cost work here.
    """
    arch = Architecture.parse(arch)
    blocks = all_block_patterns(arch)
    seen: dict[Case, tuple[Case, CanonicalForm]] = {}
    trivial = 0
    subsets = 0
    for subset in itertools.combinations(blocks, k):
        subsets += 1
        text = "|".join(_block_text(b) for b in subset)
        if is_trivial(arch, text, bias):
            trivial += 1
            continue
        form = canonical_form(arch, text, bias)
        seen.setdefault(form.case, (Case(arch.text, text, bias), form))
    return Enumeration(subsets * math.factorial(k), dict(seen.values()), trivial * math.factorial(k))
