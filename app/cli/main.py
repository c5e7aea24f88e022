"""The `copydesk` command line. With no subcommand the desktop app starts (see ui.launcher)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from app import __version__
from app.cli.context import CliContext, MissingKey
from app.cli.errors import exit_code_for, message_for
from app.config import load_config
from app.logging_setup import configure_logging

# Each module exposes register(subparsers); a missing module is a packaging error, not optional.
COMMAND_MODULES = (
    "app.cli.commands.db_cmds",
    "app.cli.commands.doctor",
    "app.cli.commands.key_cmds",
    "app.cli.commands.llm_cmds",
    "app.cli.commands.project_cmds",
    "app.cli.commands.source_cmds",
    "app.cli.commands.piece_cmds",
)

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="copydesk",
        description="Copydesk: turn a brand, its products and a goal into reviewed posts. "
        "Without a command, the desktop app opens.",
    )
    parser.add_argument("--version", action="version", version=f"copydesk {__version__}")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL (default: COPYDESK_DATABASE_URL, else the SQLite file in the "
        "user data directory); e.g. postgresql+psycopg://user@host/copydesk",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def run_command(args: argparse.Namespace, ctx: CliContext | None = None) -> int:
    """Run a parsed subcommand; errors become one clear line on stderr and an exit code."""
    config = load_config(args.database)
    configure_logging(config.paths.log_file, level=logging.INFO)
    ctx = ctx or CliContext(config)
    try:
        code: int = args.func(args, ctx)
        return code
    except KeyboardInterrupt:
        ctx.warn("Cancelled.")
        return 130
    except BrokenPipeError:
        # The reader went away (`copydesk show … | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except MissingKey as exc:
        ctx.warn(f"copydesk: {exc}")
        return 3
    except Exception as exc:
        expected = exit_code_for(exc)
        if expected is None:
            log.exception("Unexpected error in %s", args.command)
            raise
        ctx.warn(f"copydesk: {message_for(exc)}")
        return expected
    finally:
        ctx.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return 2
    if not hasattr(args, "func"):
        # A command group was given without its subcommand (e.g. `copydesk db`).
        build_parser().parse_args([*(argv or sys.argv[1:]), "--help"])
        return 2
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
