"""runtime/files: stage package."""
