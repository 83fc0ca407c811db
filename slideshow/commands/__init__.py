"""The subcommands of `slideshow`: one module each, exposing `add_parser(subparsers)` and
`run(args) -> int` (the exit status)."""
