"""Subcommands of the `copydesk` command line; each module registers its own parsers."""
