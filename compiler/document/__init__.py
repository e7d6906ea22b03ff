"""compiler/document: stage package."""
