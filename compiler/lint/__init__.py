"""compiler/lint: stage package."""
