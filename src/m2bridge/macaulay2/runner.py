"""What every Macaulay2 runner offers: `Macaulay2` (one process per script), `M2Session` (one
long-lived process) and the workbench's `Session` (an `M2Session` plus a case database).

A computation that needs a budget of its own (ker under `auto`, a certificate rung) starts a fresh
one-shot Macaulay2 *like* the caller's: the same executable, verbosity and script folder. It asks the
runner for `one_shot`, the `Macaulay2` those settings live on, and never looks inside a runner's
attributes, so that a new kind of runner only has to implement this protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .process import Macaulay2, RunOutput


@runtime_checkable
class Runner(Protocol):
    """A Macaulay2 that runs scripts (see the module's docstring)."""

    timeout: float

    def run_script(self, text: str) -> "RunOutput": ...

    def discard(self, output: "RunOutput") -> None: ...

    def version(self) -> str: ...

    @property
    def one_shot(self) -> "Macaulay2": ...
