"""compiler/render: stage package."""
