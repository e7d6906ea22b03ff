"""runtime/plan: stage package."""
