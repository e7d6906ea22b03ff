"""runtime/ops: stage package."""
