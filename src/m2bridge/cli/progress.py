"""The command line's progress: the one display of m2bridge (`m2bridge._progress`), re-exported.

`Progress` is the built-in status line (regions' messages); `ProgressDisplay` picks tqdm when it is
installed; `ticking` shows the elapsed time of one long computation; `SweepBar` follows a sweep.
"""

from __future__ import annotations

from .._progress import ProgressDisplay, SweepBar, interactive, ticking
from .._progress import StatusLine as Progress

__all__ = ["Progress", "ProgressDisplay", "SweepBar", "interactive", "ticking"]
