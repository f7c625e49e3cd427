"""What `verify` finds: one `Difference` per field of an export record whose value is not the
recomputed one, or one about a record as a whole (a key that names other inputs, a stored script
that is not the rendered one, a recomputation that failed).

A field is named by its path in the export entry (`stored_result.generators[2]`,
`stored_result.verdicts[0].generates`); `str()` of a difference is its one line, long values
shortened (from a little before where the two part) with their length; the values themselves stay whole on the object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


class _Absent:
    """The value of a field one side lacks."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()
SHORT = 60  # characters of a value a line shows; a longer one is cut there and given its length


def _text(value: Any) -> str:
    return "(absent)" if value is ABSENT else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def short(value: Any, limit: int = SHORT, start: int = 0) -> str:
    """A value as JSON on one line; when longer than `limit` characters, the `limit` from `start` on
    (… marks what is left out) and its length."""
    text = _text(value)
    if len(text) <= limit:
        return text
    start = max(0, min(start, len(text) - limit))
    shown = ("…" if start else "") + text[start:start + limit] + ("…" if start + limit < len(text) else "")
    size = f"{len(value)} items, " if isinstance(value, (list, dict)) else ""
    return f"{shown} ({size}{len(text)} chars)"


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


@dataclass(frozen=True)
class Difference:
    """One difference of record `label` (`2,2,2:10|11 [ideal]`): at `path`, the file holds `stored`
    where the recomputation gives `recomputed` (ABSENT when one side lacks the field); `note` says
    why, and is all there is for a difference about the whole record (`path` None)."""

    label: str
    note: str = ""
    path: str | None = None
    stored: Any = ABSENT
    recomputed: Any = ABSENT

    def __str__(self) -> str:
        if self.path is None:
            return f"{self.label}: {self.note}"
        # Two long values are shown from a little before where they part.
        start = max(0, _first_difference(_text(self.stored), _text(self.recomputed)) - SHORT // 3)
        line = (f"{self.label}: {self.path}: file {short(self.stored, start=start)}, "
                f"recomputed {short(self.recomputed, start=start)}")
        return f"{line} ({self.note})" if self.note else line


def field_differences(label: str, path: str, stored: Any, recomputed: Any, note: str = "") -> list[Difference]:
    """One Difference per leaf where `stored` and `recomputed` (JSON values) disagree: objects are
    compared key by key, lists item by item (an item one of them lacks is ABSENT on that side)."""
    if stored == recomputed:
        return []
    if isinstance(stored, dict) and isinstance(recomputed, dict):
        found = []
        for key in sorted(set(stored) | set(recomputed), key=str):
            found += field_differences(label, f"{path}.{key}", stored.get(key, ABSENT), recomputed.get(key, ABSENT),
                                       note)
        return found
    if isinstance(stored, list) and isinstance(recomputed, list):
        found = []
        for index in range(max(len(stored), len(recomputed))):
            found += field_differences(label, f"{path}[{index}]", stored[index] if index < len(stored) else ABSENT,
                                       recomputed[index] if index < len(recomputed) else ABSENT, note)
        return found
    return [Difference(label, note, path, stored, recomputed)]
