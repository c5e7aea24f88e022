"""`copydesk key set|delete|status|check`: the OpenRouter key in the OS keyring."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.cli.context import CliContext
from app.keystore import KeySource, delete_api_key, key_state, save_api_key


def register(sub: Any) -> None:
    key = sub.add_parser("key", help="the OpenRouter API key (kept in the OS keyring)")
    actions = key.add_subparsers(dest="key_command", metavar="ACTION")
    set_parser = actions.add_parser(
        "set", help="save a key to the keyring (read from a hidden prompt, or stdin when piped)"
    )
    set_parser.set_defaults(func=set_key)
    actions.add_parser("delete", help="remove the key from the keyring").set_defaults(
        func=delete_key
    )
    actions.add_parser("status", help="where the key comes from (never prints it)").set_defaults(
        func=status
    )
    actions.add_parser(
        "check", help="validate the key with the server and show its credit"
    ).set_defaults(func=check)


def set_key(args: argparse.Namespace, ctx: CliContext) -> int:
    text = sys.stdin.readline() if not sys.stdin.isatty() else getpass.getpass("OpenRouter key: ")
    info = save_api_key(text)
    ctx.echo(f"Saved the key to {info.name}.")
    return 0


def delete_key(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.echo("Deleted the key." if delete_api_key() else "No key was stored.")
    return 0


def status(args: argparse.Namespace, ctx: CliContext) -> int:
    state = key_state()
    where = {
        KeySource.ENVIRONMENT: "from OPENROUTER_API_KEY",
        KeySource.KEYRING: f"in {state.backend.name}",
        KeySource.NONE: "missing",
    }[state.source]
    ctx.echo(f"Key: {where}")
    if not state.backend.usable:
        ctx.echo(f"Keyring: {state.backend.name} is not usable ({state.backend.reason})")
    return 0 if state.present else 3


def check(args: argparse.Namespace, ctx: CliContext) -> int:
    client = ctx.make_llm_client(with_ledger=False)
    info = client.key_info()
    ctx.echo(f"Key valid: {info.label or '(no label)'}")
    limit = "none" if info.limit is None else f"${info.limit}"
    remaining = "unlimited" if info.limit_remaining is None else f"${info.limit_remaining}"
    ctx.echo(f"Limit: {limit}   Remaining: {remaining}   Used: ${info.usage}")
    return 0
