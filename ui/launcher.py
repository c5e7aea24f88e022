"""Entry point of the `copydesk` command: a subcommand runs headless, no command opens the app.

Qt is imported only when the window is wanted, so headless commands work on machines
without a display or Qt's system libraries. Opening the app (`copydesk`, optionally with
`--database URL`) skips building the command-line parser, which loads every command's
module: the window should not wait for code it does not use.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def app_database(argv: Sequence[str]) -> tuple[bool, str | None]:
    """Whether ``argv`` just opens the app, and the database it names (if any)."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--database" and not argv[1].startswith("-"):
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith("--database="):
        return True, argv[0].partition("=")[2] or None
    return False, None


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    opens_app, database = app_database(arguments)
    if opens_app:
        from ui.application import run_app

        return run_app(database)

    from app.cli.main import parse_args, run_command

    args = parse_args(arguments)
    if args.command is None:
        from ui.application import run_app

        return run_app(args.database)
    if not hasattr(args, "func"):
        parse_args([*arguments, "--help"])
        return 2
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
