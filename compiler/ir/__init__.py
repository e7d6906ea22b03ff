"""compiler/ir: stage package."""
