"""`python -m m2bridge …` is the `m2bridge` command."""

import sys

from .cli import main

sys.exit(main())
