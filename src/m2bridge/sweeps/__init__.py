"""Many cases at once: case files, the case database, executors, reports, export and verification."""
