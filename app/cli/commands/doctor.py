"""`copydesk doctor`: is this installation ready? Never prints the key."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import CliContext
from app.cli.errors import message_for
from app.config import mask_url
from app.keystore import KeySource, key_state


def register(sub: Any) -> None:
    sub.add_parser("doctor", help="check the database, the keyring and the key").set_defaults(
        func=doctor
    )


def doctor(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.db import migrate

    problems = 0
    ctx.echo(f"Database:  {mask_url(ctx.database_url)}")
    try:
        db = ctx.open_db(migrate=False)
        rev = migrate.current_revision(db)
        head = migrate.head_revision()
        if rev == head:
            ctx.echo(f"  reachable, schema at head ({head})")
        else:
            problems += 1
            ctx.echo(
                f"  reachable, schema at {rev or 'none'}; head is {head}: "
                "run `copydesk db upgrade` (the app also migrates on start)"
            )
    except Exception as exc:
        if not type(exc).__module__.startswith("app."):
            raise
        problems += 1
        ctx.echo(f"  NOT usable: {message_for(exc)}")

    state = key_state()
    backend = state.backend
    ctx.echo(f"Keyring:   {backend.name}")
    if not backend.usable:
        ctx.echo(f"  not usable: {backend.reason}")
    if state.source is KeySource.ENVIRONMENT:
        ctx.echo("Key:       present (from OPENROUTER_API_KEY)")
    elif state.source is KeySource.KEYRING:
        ctx.echo("Key:       present (in the keyring)")
    else:
        problems += 1
        ctx.echo("Key:       missing — save one in the app, or set OPENROUTER_API_KEY")
    ctx.echo(f"Base URL:  {ctx.base_url}")
    ctx.echo("OK" if problems == 0 else f"{problems} problem(s) found")
    return 0 if problems == 0 else 1
