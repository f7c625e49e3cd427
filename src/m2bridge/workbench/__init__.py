"""The Python workbench: `sweep`, `session`, `check`, `pattern_ideal` with a case database, `verify`
(workbench/api.py). It uses the sweeps (compute and store) and the reports (read and show) and is
imported by nothing but the package's lazy names and the command line."""
