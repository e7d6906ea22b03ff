"""compiler/diff: stage package."""
