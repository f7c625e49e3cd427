"""Cases up to symmetry: neuron permutations per hidden layer (the same in every block), block
permutations, and transposition of the network (bias-free cases only: a bias column has no
transpose). Equivalent cases have the same variety up to renaming coordinates, so a sweep computes
one representative per orbit and renames the stored result for the case that was asked for.

The canonical form is the lexicographically least equivalent case. The neurons of different layers
permute independently, so for a fixed order of the blocks the least pattern sorts the neurons of
each layer by their column of bits (one bit per block, in that order); the canonical form is the
least of these over the k! block orders and the two orientations: polynomial in the widths.

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
from functools import cached_property

from ..errors import InputError
from .model import ActivationPattern, Architecture, PatternVariety

Block = tuple[tuple[int, ...], ...]


@dataclass(frozen=True, order=True)
class Case:
    """A bias-free or affine network case in text notation (the form stored and reported)."""

    arch: str
    pattern: str
    bias: bool = False

    def __post_init__(self):
        # Parsed (and validated) once, where the case is made; every later step uses the objects.
        object.__setattr__(self, "bias", bool(self.bias))
        variety = PatternVariety(Architecture.parse(self.arch), ActivationPattern.parse(self.pattern), self.bias)
        object.__setattr__(self, "arch", variety.arch.text)
        object.__setattr__(self, "pattern", variety.pattern.text)
        self.__dict__["variety"] = variety

    @cached_property
    def variety(self) -> PatternVariety:
        return PatternVariety(Architecture.parse(self.arch), ActivationPattern.parse(self.pattern), self.bias)

    @classmethod
    def of(cls, arch: Architecture, pattern: ActivationPattern, bias: bool = False) -> "Case":
        """The case of parsed objects (nothing is parsed again)."""
        variety = PatternVariety(arch, pattern, bool(bias))
        case = cls.__new__(cls)
        for name, value in (("arch", variety.arch.text), ("pattern", variety.pattern.text), ("bias", bool(bias))):
            object.__setattr__(case, name, value)
        case.__dict__["variety"] = variety
        return case

    @classmethod
    def of_normal_texts(cls, arch: str, pattern: str, bias: bool = False) -> "Case":
        """The case of texts already in normal form, written from parsed objects (a sweep plans
        tens of thousands): nothing is parsed again, the variety is built when first used."""
        case = cls.__new__(cls)
        for name, value in (("arch", arch), ("pattern", pattern), ("bias", bool(bias))):
            object.__setattr__(case, name, value)
        return case

    @classmethod
    def from_label(cls, label: str) -> "Case":
        """`ARCH:PATTERN[:bias]`, as `label` writes it."""
        parts = str(label).split(":")
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "bias"):
            raise InputError(f"case {label!r}: expected ARCH:PATTERN or ARCH:PATTERN:bias", "case")
        return cls(parts[0], parts[1], len(parts) == 3)

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
    """The lexicographically least equivalent case (architecture, then the blocks' texts)."""
    arch = Architecture.parse(arch)
    pattern = ActivationPattern.parse(pattern).check(arch)
    candidates = [(False, arch, pattern.blocks)]
    if not bias:
        candidates.append((True, arch.reversed(), tuple(tuple(reversed(b)) for b in pattern.blocks)))
    # min keeps the first of equal keys: untransposed before transposed, then the order of permutations.
    (widths, texts), transposed, order = min(
        (((a.widths, _least_texts([blocks[b] for b in order])), transposed, order)
         for transposed, a, blocks in candidates for order in itertools.permutations(range(len(blocks)))),
        key=lambda candidate: candidate[0],
    )
    case = Case.of_normal_texts(",".join(map(str, widths)), "|".join(texts), bias)
    return CanonicalForm(case, transposed, tuple(order))


def _least_texts(blocks: list[Block]) -> tuple[str, ...]:
    """The blocks' texts, in this block order, with each layer's neurons sorted by their bits across
    the blocks (0 before 1, the first block deciding first): the least this order allows."""
    if not blocks or not blocks[0]:
        return tuple(_block_text(b) for b in blocks)
    perms = []
    for layer in range(len(blocks[0])):
        columns = list(zip(*(block[layer] for block in blocks)))  # one tuple of bits per neuron
        perms.append(sorted(range(len(columns)), key=lambda i: columns[i]))
    return tuple(_block_text(_permuted(b, perms)) for b in blocks)


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
