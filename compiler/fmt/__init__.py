"""compiler/fmt: stage package."""
