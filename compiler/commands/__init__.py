"""One module per CLI command family; each exposes `add_parser(subparsers)` and handlers."""
