"""Many cases at once: case files, tasks, the case database and executors."""
