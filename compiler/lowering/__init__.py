"""compiler/lowering: stage package."""
