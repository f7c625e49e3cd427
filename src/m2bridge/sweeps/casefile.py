"""Case files (`cases/*.toml`): a sweep declared so that it can be rerun and reproduced.

```toml
[sweep]
name = "two-block-shallow-small"
field = "QQ"                 # or "ZZ/32003"
timeout = 60                 # seconds per case
compute = ["ideal", "dim"]

[[sweep.family]]
architectures = ["2,2,2", "3,3,3"]
blocks = 2                   # every pattern with 2 distinct blocks, up to symmetry
# or: patterns = ["110|011"]
```
Every error names the file, the key and its line; nothing runs on a bad file.

>>> spec = SweepSpec.from_text('''
... [sweep]
... name = "tiny"
... compute = ["dim"]
... [[sweep.family]]
... architectures = ["2,2,2"]
... blocks = 2
... ''', "tiny.toml")
>>> plan = spec.plan()
>>> plan.requested, plan.unique, len(plan.cases)   # every ordered pattern, 4 orbits
(12, 4, 12)
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
import tomllib
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

from .._files import CASE_FILE_LIMIT, read_text
from ..errors import InputError
from ..varieties.field import Field
from ..ideals.option_table import CASE_FILE_KEYS, check_degree_bound, positive_number
from ..ideals.options import IdealOptions
from ..varieties.interpolate import check_interpolation
from ..varieties.model import ActivationPattern, Architecture, PatternVariety
from ..varieties.model import InputError as _InputError
from ..conjectures.statements import NAMES
from ..varieties.symmetry import CanonicalForm, Case, all_block_patterns, canonical_form, is_trivial

COMPUTATIONS = ("ideal", "dim", "conjectures")
MAX_ENUMERATED_BLOCKS = 6
# The computation options' keys, their types and their rules are the option table's.
_SWEEP_KEYS = {
    "name": str, "description": str, "compute": list, "family": list, "conjectures": list,
    **{key: (int, float) if option.kind is float else bool if option.kind == "flag" else option.kind
       for key, option in CASE_FILE_KEYS.items()},
}
_FAMILY_KEYS = {"architectures": list, "blocks": int, "patterns": list, "bias": bool, "name": str}


class CaseFileError(InputError):
    """A case file that cannot be read or does not describe a valid sweep."""


@dataclass
class Family:
    architectures: list[Architecture]
    blocks: int | None = None
    patterns: list[ActivationPattern] | None = None
    bias: bool = False


@dataclass
class SweepPlan:
    """What a sweep asks for: `cases` maps each requested case to its canonical form."""

    cases: dict[Case, CanonicalForm]
    requested: int  # before symmetry reduction (ordered block tuples, explicit patterns)
    unique: int  # orbits left to compute, per computation
    notes: list[str] = dataclass_field(default_factory=list)


@dataclass
class SweepSpec:
    name: str
    path: str
    families: list[Family]
    options: IdealOptions = dataclass_field(default_factory=IdealOptions)  # how every case is computed
    compute: list[str] = dataclass_field(default_factory=lambda: ["ideal", "dim"])
    description: str = ""
    conjectures: list[str] = dataclass_field(default_factory=list)

    @property
    def field(self) -> Field:
        return self.options.field

    @classmethod
    def load(cls, path: "str | Path") -> "SweepSpec":
        path = Path(path)
        try:
            text = read_text(path, CASE_FILE_LIMIT, None, "case file")
        except InputError as exc:
            raise CaseFileError(str(exc)) from None
        return cls.from_text(text, str(path))

    @classmethod
    def from_text(cls, text: str, path: str) -> "SweepSpec":
        try:
            data = tomllib.loads(text.removeprefix("\ufeff"))  # a byte-order mark is not TOML, but editors write it
        except tomllib.TOMLDecodeError as exc:
            raise CaseFileError(f"case file {path!r}: not valid TOML: {exc}") from None
        except RecursionError:  # tomllib parses nested arrays and tables recursively
            raise CaseFileError(f"case file {path!r}: nested too deeply to be a case file") from None
        except ValueError:  # an integer of more than 4300 digits (Python's limit on int(text))
            raise CaseFileError(f"case file {path!r}: an integer of more than 4300 digits") from None
        return cls._from_data(data, text, path)

    @classmethod
    def from_dict(cls, data: dict, path: str = "<dict>") -> "SweepSpec":
        """A sweep from Python data shaped like a case file — `{"sweep": {..., "family": [...]}}`, or
        the `[sweep]` table alone — validated exactly as a TOML file (tuples count as lists).

        >>> spec = SweepSpec.from_dict({"name": "d", "compute": ["dim"],
        ...                             "family": [{"architectures": ["2,2,2"], "patterns": ["10|11"]}]})
        >>> spec.name, spec.plan().requested
        ('d', 1)
        >>> SweepSpec.from_dict({"name": "d", "timeout": "60", "family": []})
        Traceback (most recent call last):
        ...
        m2bridge.sweeps.casefile.CaseFileError: case file '<dict>': [sweep] key 'timeout': expected a number, got str
        """
        if not isinstance(data, dict):
            raise CaseFileError(f"case file {path!r}: expected a dict shaped like a case file, got "
                                f"{type(data).__name__}")
        if "sweep" not in data and "name" in data:
            data = {"sweep": data}
        return cls._from_data(_as_toml_values(data), "", path)

    @classmethod
    def _from_data(cls, data: dict, text: str, path: str) -> "SweepSpec":
        def fail(message: str, key: str, family: int | None = None) -> CaseFileError:
            line = _line_of(text, key, family)
            where = f", line {line}" if line else ""
            table = "[sweep]" if family is None else f"[[sweep.family]] #{family + 1}"
            return CaseFileError(f"case file {path!r}{where}: {table} key {key!r}: {message}")

        unknown_top = sorted(set(data) - {"sweep"})
        if unknown_top:
            line = _line_of(text, unknown_top[0], None, top=True)
            raise CaseFileError(f"case file {path!r}{f', line {line}' if line else ''}: "
                                f"unknown table or key {unknown_top[0]!r} (only [sweep] is allowed)")
        sweep = data.get("sweep")
        if not isinstance(sweep, dict):
            raise CaseFileError(f"case file {path!r}: no [sweep] table")
        _check_keys(sweep, _SWEEP_KEYS, fail, None)
        for required in ("name", "family"):
            if required not in sweep:
                raise CaseFileError(f"case file {path!r}: [sweep] needs the key {required!r}")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", sweep["name"]):
            raise fail("use letters, digits, '.', '_' and '-' only", "name")
        compute = sweep.get("compute", ["ideal", "dim"])
        bad = [c for c in compute if c not in COMPUTATIONS]
        if bad or not compute:
            raise fail(f"{bad or 'empty'}: choose from {list(COMPUTATIONS)}", "compute")
        conjectures = sweep.get("conjectures", [])
        if "conjectures" in compute or conjectures:
            bad = [n for n in conjectures if n not in NAMES]
            if bad or not conjectures:
                raise fail(f"{bad or 'empty'}: choose from {list(NAMES)}", "conjectures")
            if "conjectures" not in compute:
                raise fail("lists conjectures, but 'compute' does not include \"conjectures\"", "conjectures")
        options = _options(sweep, fail)
        families = []
        for index, fam in enumerate(sweep["family"]):
            if not isinstance(fam, dict):
                raise fail("must be a table [[sweep.family]]", "family")
            families.append(_family(fam, index, fail))
        _check_degree_bound(families, options, fail)
        return cls(name=sweep["name"], path=path, families=families, options=options, compute=list(compute),
                   description=sweep.get("description", ""), conjectures=list(sweep.get("conjectures", [])))

    def plan(self) -> SweepPlan:
        """Requested cases (trivial ones skipped with a note) and their canonical forms. An
        enumerated family (`blocks = k`) requests every ordered pattern of k distinct blocks, so
        that reports know each orbit's size and rename results for any of its members."""
        cases: dict[Case, CanonicalForm] = {}
        requested = 0
        notes: list[str] = []
        trivial = 0
        for fam in self.families:
            for arch in fam.architectures:
                if fam.blocks is not None:
                    if not arch.hidden:
                        raise CaseFileError(f"case file {self.path!r}: architecture {arch.text} has no hidden layer to enumerate blocks over")
                    counts = _add_ordered_patterns(cases, arch, fam.blocks, fam.bias)
                    requested += counts[0]
                    trivial += counts[1]
                for pattern in fam.patterns or []:
                    requested += 1
                    if is_trivial(arch, pattern, fam.bias):
                        trivial += 1
                        continue
                    case = Case.of(arch, pattern, fam.bias)
                    cases.setdefault(case, canonical_form(arch, pattern, fam.bias))
        if trivial:
            notes.append(f"skipped {trivial} pattern(s) with an all-zero hidden layer in every block "
                         "(every M_b = 0: the variety is a point)")
        unique = len({form.case for form in cases.values()})
        return SweepPlan(cases, requested, unique, notes)


def _add_ordered_patterns(cases: dict, arch: Architecture, k: int, bias: bool) -> tuple[int, int]:
    """Every ordered pattern of k distinct blocks for `arch` into `cases` (requested → canonical
    form); returns (ordered patterns, trivial ones skipped). One canonical form per set of blocks:
    reordering the blocks only reorders `block_of`."""
    blocks = all_block_patterns(arch)
    ordered = trivial = 0
    texts = ["/".join("".join(map(str, layer)) for layer in b) for b in blocks]
    for subset in itertools.combinations(range(len(blocks)), k):
        ordered += math.factorial(k)
        text = "|".join(texts[i] for i in subset)
        if is_trivial(arch, text, bias):
            trivial += math.factorial(k)
            continue
        form = canonical_form(arch, text, bias)
        for order in itertools.permutations(range(k)):
            # Requested block j is subset block order[j]; canonical block c was subset block
            # form.block_of[c], i.e. requested block order.index(form.block_of[c]).
            case = Case.of_normal_texts(arch.text, "|".join(texts[subset[i]] for i in order), bias)
            block_of = tuple(order.index(b) for b in form.block_of)
            cases.setdefault(case, dataclasses.replace(form, block_of=block_of))
    return ordered, trivial


def _as_toml_values(value):
    """Python data as TOML would give it: tuples become lists (nothing else is converted)."""
    if isinstance(value, dict):
        return {k: _as_toml_values(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_toml_values(v) for v in value]
    return value


def _options(sweep: dict, fail) -> IdealOptions:
    """The sweep's IdealOptions, each key checked by the rule the command line uses (the option table);
    an error names the case-file key and its line."""
    given = {}
    for key, option in CASE_FILE_KEYS.items():
        if key in sweep:
            value = sweep[key]
            try:
                if option.scale != 1:  # checked in the file's unit first, so that an error speaks it
                    positive_number(value, key, option.unit)
                    value = value * option.scale
                given[option.name] = option.check(value)
            except _InputError as exc:
                raise fail(str(exc), key) from None
    try:
        return IdealOptions(**given)
    except _InputError as exc:
        key = next((k for k, o in CASE_FILE_KEYS.items() if o.name == exc.parameter), "method")
        raise fail(str(exc), key) from None


def _check_degree_bound(families: list, options: IdealOptions, fail) -> None:
    """A degree bound must fit every architecture of the file, as `pattern_ideal` would require of
    each case: checked here, before anything runs, instead of failing case by case."""
    if options.max_degree is None:
        return
    for fam in families:
        # one pattern per number of blocks: the family's own, or k all-active blocks (parsed once)
        by_k = {p.k: p for p in fam.patterns or ()}
        for arch in fam.architectures:
            if fam.blocks is not None:
                one_block = "/".join("1" * width for width in arch.hidden)
                by_k = {fam.blocks: ActivationPattern.parse("|".join([one_block] * fam.blocks))}
            for k, pattern in sorted(by_k.items()):
                n_vars = k * arch.n_out * (arch.n_in + (1 if fam.bias else 0))
                try:
                    check_degree_bound(n_vars, options.max_degree)
                    if options.uses_interpolation:
                        check_interpolation(PatternVariety(arch, pattern, fam.bias),
                                            options.max_degree, options.interpolation_prime,
                                            options.interpolation_prime_from)
                except _InputError as exc:
                    key = exc.parameter if exc.parameter in CASE_FILE_KEYS else "max_degree"
                    raise fail(f"{exc} (architecture {arch.text}, {k} blocks)", key) from None


def _check_keys(table: dict, allowed: dict, fail, family):
    for key, value in table.items():
        if key not in allowed:
            raise fail(f"unknown key; allowed: {sorted(allowed)}", key, family)
        expected = allowed[key]
        if isinstance(value, bool) and expected is not bool:
            raise fail(f"expected {_type_name(expected)}, got a boolean", key, family)
        if not isinstance(value, expected):
            raise fail(f"expected {_type_name(expected)}, got {type(value).__name__}", key, family)


def _type_name(expected) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list"}
    if isinstance(expected, tuple):
        return "a number"
    return names[expected]


def _family(fam: dict, index: int, fail) -> Family:
    _check_keys(fam, _FAMILY_KEYS, fail, index)
    if "architectures" not in fam:
        raise fail("is required", "architectures", index)
    if ("blocks" in fam) == ("patterns" in fam):
        raise fail("give exactly one of 'blocks' and 'patterns'", "blocks" if "blocks" in fam else "patterns", index)
    # a repeated entry asks for nothing more: kept once (100,000 of them took minutes to plan)
    distinct_archs: dict[Architecture, None] = {}
    for text in _distinct(fam["architectures"]):
        try:
            distinct_archs.setdefault(Architecture.parse(text), None)
        except _InputError as exc:
            raise fail(str(exc), "architectures", index) from None
    archs = list(distinct_archs)
    if "blocks" in fam and fam["blocks"] < 1:
        raise fail("must be at least 1", "blocks", index)
    for arch in archs if "blocks" in fam else ():
        # k distinct blocks need at least k patterns of one block; a huge k would enumerate forever.
        distinct = 2 ** sum(arch.hidden)
        if fam["blocks"] > distinct or fam["blocks"] > MAX_ENUMERATED_BLOCKS:
            raise fail(f"{fam['blocks']} distinct blocks: architecture {arch.text} has {distinct} patterns of one "
                       f"block, and enumeration handles at most {MAX_ENUMERATED_BLOCKS} blocks", "blocks", index)
    patterns: list[ActivationPattern] | None = None
    if "patterns" in fam:
        distinct_patterns: dict[ActivationPattern, None] = {}
        for text in _distinct(fam["patterns"]):
            try:
                pattern = ActivationPattern.parse(text)
                for arch in archs:
                    pattern.check(arch)
            except _InputError as exc:
                raise fail(str(exc), "patterns", index) from None
            distinct_patterns.setdefault(pattern, None)
        patterns = list(distinct_patterns)
    return Family(archs, fam.get("blocks"), patterns, fam.get("bias", False))


def _distinct(values: list) -> list:
    """`values` without repeated texts, in order (anything else is kept, for its own error)."""
    seen: set[str] = set()
    kept = []
    for v in values:
        if isinstance(v, str):
            if v in seen:
                continue
            seen.add(v)
        kept.append(v)
    return kept


def _line_of(text: str, key: str, family: int | None, top: bool = False) -> int | None:
    """Line (1-based) of `key` inside [sweep] or inside the given [[sweep.family]] table."""
    # The table the line is in: ("sweep", None), ("family", its index), ("other", its name); None before any.
    table: tuple[str, int | str | None] | None = None
    seen_families = -1
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[[sweep.family]]"):
            seen_families += 1
            table = ("family", seen_families)
            continue
        if stripped.startswith("["):
            name = stripped.strip("[]").strip()
            table = ("sweep", None) if name == "sweep" else ("other", name)
            if top and name.split(".")[0] == key:
                return number
            continue
        if re.match(rf"{re.escape(key)}\s*=", stripped):
            if top and table is None:
                return number
            if family is None and table == ("sweep", None):
                return number
            if family is not None and table == ("family", family):
                return number
    return None
