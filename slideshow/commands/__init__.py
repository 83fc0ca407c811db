"""The subcommands of `slideshow`: one module each, exposing `add_parser(subparsers)` and
`run(args) -> int` (the exit status); `options` holds the options they share.

Nothing else in the package imports them but slideshow/cli.py (a command may reuse
another's flags). A command holds no logic another part needs: that lives in the folder of
its idea."""
