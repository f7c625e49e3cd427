"""Reading the case database: tables, results pages, renaming to the requested coordinates, exports
and their verification."""
