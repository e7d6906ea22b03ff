"""runtime/export: stage package."""
