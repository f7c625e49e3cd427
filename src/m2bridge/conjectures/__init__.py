"""The published theorems and conjectures about J^A as checkable statements, and their verdicts.

`check` gives the verdict of one claim on one case; `all_verdicts` every claim and reading;
`STATEMENTS` lists the statements; `Verdict` explains the vocabulary (claims and outcomes).
"""
