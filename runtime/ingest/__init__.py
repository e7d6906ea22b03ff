"""runtime/ingest: stage package."""
