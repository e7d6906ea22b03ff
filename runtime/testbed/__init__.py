"""runtime/testbed: stage package."""
