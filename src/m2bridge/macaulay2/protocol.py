"""Macaulay2's framed reply → Python values and python-flint polynomials; polynomials → the terms
Macaulay2 reads. The one wire format between the two sides.

Every machine-readable line Macaulay2 prints is `@@m2b STATUS KEY LENGTH PAYLOAD` (defined in
`m2scripts/lib/frame.m2.j2`): STATUS ok or err, LENGTH the payload's length in bytes (so a truncated
line is detected), a reply opened by KEY `begin` (payload: template name and protocol version) and
closed by KEY `end`. Polynomials travel both ways as exact sparse terms: a list of (coefficient,
[(variable index, exponent), …]); Macaulay2 prints them as `COEF:VAR^EXP,VAR^EXP;COEF:…`, Python
hands them over as the same list rendered by the template filter (`encode_terms`).

>>> reply = read_reply("noise\\n@@m2b ok begin 1 x\\n{8}mm@@m2b ok dim 1 6\\n@@m2b ok end 0 \\n")
>>> reply.integer("dim")
6
>>> read_reply("@@m2b ok begin 1 x\\n@@m2b ok dim 2 6\\n")
Traceback (most recent call last):
...
m2bridge.errors.M2OutputError: unreadable Macaulay2 output, line 2: LENGTH says 2 bytes, the payload has 1: '@@m2b ok dim 2 6'
>>> from m2bridge.varieties.field import Field
>>> from m2bridge.varieties.polynomials import polynomial_context
>>> ctx = polynomial_context(["x", "y"], Field.parse("QQ"))
>>> p = parse_polynomial("1/3:0^2;-1:1^1", ctx)
>>> p, encode_terms(p)
(1/3*x^2 - y, [[Fraction(1, 3), [[0, 2]]], [-1, [[1, 1]]]])
"""

from __future__ import annotations

import re
from fractions import Fraction
from collections import defaultdict
from dataclasses import dataclass, field

import flint

from ..errors import M2Error, M2OutputError

FRAME_PREFIX = "@@m2b "
# The space before an empty payload may be gone: subprocess-tee strips line ends.
_FRAME = re.compile(r"@@m2b (ok|err) ([A-Za-z_][A-Za-z0-9_]*) ([0-9]+)(?: (.*))?\Z", re.S)


def in_words(line: str) -> str:
    """A line of Macaulay2's output for a person watching it (`-v`): a framed record as its key and a
    short payload (a generator as its number of terms), anything else — Macaulay2's own words,
    gbTrace, errors — as it is.

    >>> in_words("@@m2b ok gen 20 1:1^1,2^1;-1:0^1,3^1")
    'm2bridge reply: generator, 2 terms'
    >>> in_words("@@m2b ok dim 1 6"), in_words("-- used 0.1 seconds")
    ('m2bridge reply: dim 6', '-- used 0.1 seconds')
    >>> in_words("{2}(1)m@@m2b ok degree 1 4").splitlines()  # gbTrace's words before a record on its line
    ['{2}(1)m', 'm2bridge reply: degree 4']
    """
    start = line.find(FRAME_PREFIX)
    if start > 0:
        return line[:start] + "\n" + in_words(line[start:])
    frame = _FRAME.match(line)
    if frame is None:
        return line
    status, key, _, payload = frame.groups()
    payload = payload or ""
    if key == "gen":
        return f"m2bridge reply: generator, {payload.count(';') + 1 if payload else 0} terms"
    if key in ("begin", "end"):
        return f"m2bridge reply {'begins: ' + payload.split()[0] if key == 'begin' and payload else 'ends'}"
    shown = payload if len(payload) <= 70 else f"{payload[:60]}… ({len(payload)} characters)"
    return f"m2bridge reply: {key} {shown}" if status == "ok" else f"m2bridge reply: error in {key}: {shown}"


class ReadableEcho:
    """Text written in pieces, echoed line by line through `in_words` to a stream of the moment
    (`stream()`, e.g. whatever sys.stderr is then)."""

    def __init__(self, stream):
        self.stream, self.pending = stream, ""

    def write(self, text: str) -> None:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        if lines:
            out = self.stream()
            out.write("".join(in_words(line) + "\n" for line in lines))
            out.flush()

    def flush(self) -> None:
        if self.pending:
            self.write("\n")


@dataclass
class Reply:
    """The records of one framed reply, by key, in order."""

    records: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    script_path: str | None = None
    begin: str = ""  # the payload of the `begin` frame: template name and protocol version

    def all(self, key: str) -> list[str]:
        return list(self.records.get(key, []))

    def one(self, key: str) -> str:
        values = self.records.get(key, [])
        if len(values) != 1:
            raise M2OutputError(f"expected one {key!r} record, found {len(values)}", None, self.script_path)
        return values[0]

    def integer(self, key: str) -> int:
        text = self.one(key)
        if not re.fullmatch(r"-?[0-9]+", text):
            raise M2OutputError(f"record {key!r} is not an integer", text, self.script_path)
        return int(text)


def read_reply(stdout: str, script_path: str | None = None) -> Reply:
    """Collect the frames of `stdout`; a malformed frame, an `err` frame or a missing end raises."""
    reply = Reply(script_path=script_path)
    state = "before"
    for number, line in enumerate(stdout.splitlines(), start=1):
        # A frame may follow output without a line end on the same line (gbTrace's `mmmm`).
        start = line.find(FRAME_PREFIX)
        if start < 0:
            continue
        line = line[start:]
        m = _FRAME.match(line)
        if not m:
            raise M2OutputError(f"line {number}: not a frame 'STATUS KEY LENGTH PAYLOAD'", line, script_path)
        status, key, length, payload = m.group(1), m.group(2), int(m.group(3)), m.group(4) or ""
        size = len(payload.encode())
        if size != length:
            raise M2OutputError(f"line {number}: LENGTH says {length} bytes, the payload has {size}", line, script_path)
        if status == "err":
            raise M2Error(payload, script_path)
        if key == "begin":
            if state != "before":
                raise M2OutputError(f"line {number}: a second 'begin' frame", line, script_path)
            state = "open"
            reply.begin = payload
            continue
        if state != "open":
            raise M2OutputError(f"line {number}: frame outside begin/end", line, script_path)
        if key == "end":
            state = "closed"
            continue
        reply.records[key].append(payload)
    if state == "before":
        raise M2OutputError("no framed reply at all (no '@@m2b ok begin' line)", stdout[-300:] or None, script_path)
    if state == "open":
        raise M2OutputError("the reply has no 'end' frame (Macaulay2 stopped early?)", None, script_path)
    return reply


_COEFF = re.compile(r"-?[0-9]+(/[0-9]+)?\Z")
_FACTOR = re.compile(r"([0-9]+)\^([0-9]+)\Z")


def parse_polynomial(payload: str, ctx, script_path: str | None = None):
    """`COEF:VAR^EXP,…;…` (see frame.m2.j2) → an fmpq_mpoly / nmod_mpoly in `ctx`."""
    nvars = ctx.nvars()
    modulus = ctx.modulus() if isinstance(ctx, flint.nmod_mpoly_ctx) else 0
    terms: dict[tuple[int, ...], int | flint.fmpq] = {}  # int coefficients mod `modulus`, else fmpq
    for term in payload.split(";") if payload else []:
        coeff_text, _, monomial = term.partition(":")
        if not _COEFF.match(coeff_text):
            raise M2OutputError(f"coefficient {coeff_text!r} is not an exact number", payload, script_path)
        exps = [0] * nvars
        for factor in monomial.split(",") if monomial else []:
            m = _FACTOR.match(factor)
            if not m or int(m.group(1)) >= nvars:
                raise M2OutputError(f"monomial factor {factor!r} does not name one of {nvars} variables", payload, script_path)
            exps[int(m.group(1))] += int(m.group(2))
        if modulus:
            if "/" in coeff_text:
                raise M2OutputError(f"coefficient {coeff_text!r} over ZZ/{modulus} must be an integer", payload, script_path)
            coeff: int | flint.fmpq = int(coeff_text) % modulus
        else:
            coeff = flint.fmpq(*map(int, coeff_text.split("/")))
        terms[tuple(exps)] = terms.get(tuple(exps), 0) + coeff
    return ctx.from_dict(terms)


def encode_terms(poly) -> list:
    """A python-flint polynomial as exact sparse terms [[coefficient, [[variable, exponent], …]], …]:
    what the `m2` template filter renders and `m2bFromTerms` (m2scripts/lib/terms.m2.j2) reads.
    Coefficients over ZZ/p are the integers 0..p-1; over QQ exact Fractions (integers when whole)."""
    out = []
    for exps, coeff in poly.to_dict().items():
        if isinstance(coeff, flint.fmpq):
            c = int(coeff.p) if coeff.q == 1 else Fraction(int(coeff.p), int(coeff.q))
        else:
            c = int(coeff)
        out.append([c, [[i, int(e)] for i, e in enumerate(exps) if e]])
    return out


_HILBERT_TERM = re.compile(r"([+-]?)([0-9]*)\*?(T(?:\^([0-9]+))?)?")


def hilbert_numerator_coefficients(text: str) -> dict[int, int]:
    """Macaulay2's `numerator hilbertSeries J` (`1-3*T^3+3*T^6-T^9`) → {power of T: coefficient}.

    >>> hilbert_numerator_coefficients("1-3*T^3+T^4-T")
    {0: 1, 3: -3, 4: 1, 1: -1}
    """
    coefficients: dict[int, int] = {}
    compact = text.replace(" ", "")
    pos = 0
    while pos < len(compact):
        m = _HILBERT_TERM.match(compact, pos)
        if not m or m.end() == pos or not (m.group(2) or m.group(3)):
            raise M2OutputError(f"cannot read the Hilbert numerator {text!r}")
        pos = m.end()
        coeff = int(m.group(2) or 1) * (-1 if m.group(1) == "-" else 1)
        power = 0 if not m.group(3) else int(m.group(4) or 1)
        coefficients[power] = coefficients.get(power, 0) + coeff
    return coefficients
