"""Entry point of the `copydesk` command: a subcommand runs headless, no command opens the app.

Qt is imported only when the window is wanted, so headless commands work on machines
without a display or Qt's system libraries.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.cli.main import parse_args, run_command


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command is None:
        from ui.application import run_app

        return run_app(args.database)
    if not hasattr(args, "func"):
        parse_args([*(argv if argv is not None else sys.argv[1:]), "--help"])
        return 2
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
