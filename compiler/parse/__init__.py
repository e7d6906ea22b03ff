"""compiler/parse: stage package."""
