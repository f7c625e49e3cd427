"""Other programs run the way Macaulay2 is: `OtherEngine` is a `Macaulay2` with another command line
(Singular, msolve). Every run gets the same launcher (timeout killing the process group,
address-space cap, parent-death signal) and the same kept-on-failure script files; the launcher's
errors, worded for Macaulay2, name the program that ran.
"""

from __future__ import annotations

from ..errors import M2Error, M2TimeoutError
from .process import Macaulay2, RunOutput


class OtherEngine(Macaulay2):
    """Subclasses set `name`, `not_found`, `script_suffix`, `command` and `version`; `checked` may
    refuse an output the launcher took for a success."""

    @classmethod
    def like(cls, m2: Macaulay2, timeout: float | None = None):
        """This engine with `m2`'s timeout (or `timeout`), memory cap, verbosity and script folder."""
        return cls(timeout=m2.timeout if timeout is None else timeout, memory_limit=m2.memory_limit,
                   verbose=m2.verbose, script_dir=m2.script_dir)

    def checked(self, output: RunOutput) -> RunOutput:
        return output

    def _run(self, executable: str, script_path: str) -> RunOutput:
        try:
            return self.checked(super()._run(executable, script_path))
        except (M2Error, M2TimeoutError) as error:  # the launcher's errors, worded for Macaulay2
            error.args = (str(error).replace("Macaulay2", self.name, 1),)
            raise
