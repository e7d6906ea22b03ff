"""runtime/processes: stage package."""
