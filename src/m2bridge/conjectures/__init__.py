"""The published theorems and conjectures about J^A as checkable statements, and their verdicts."""
