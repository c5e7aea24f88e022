"""`copydesk db upgrade|current|history`: migrations, headless."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import CliContext


def register(sub: Any) -> None:
    db = sub.add_parser("db", help="database migrations")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION")
    upgrade_parser = actions.add_parser("upgrade", help="migrate the database to this version")
    upgrade_parser.set_defaults(func=upgrade)
    actions.add_parser("current", help="show the database's schema revision").set_defaults(
        func=current
    )
    actions.add_parser("history", help="list the schema revisions").set_defaults(func=history)


def upgrade(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.db import migrate

    db = ctx.open_db(migrate=False)
    before = migrate.current_revision(db)
    migrate.upgrade(db)
    after = migrate.current_revision(db)
    if before == after:
        ctx.echo(f"Already at {after} (head).")
    else:
        ctx.echo(f"Upgraded {before or 'empty database'} → {after}.")
    return 0


def current(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.db import migrate

    db = ctx.open_db(migrate=False)
    rev = migrate.current_revision(db)
    head = migrate.head_revision()
    state = "head" if rev == head else f"behind head {head}"
    ctx.echo(f"{rev or 'none (empty database)'} ({state})")
    return 0


def history(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.db import migrate

    for rev, doc in migrate.history():
        ctx.echo(f"{rev}  {doc}")
    return 0
