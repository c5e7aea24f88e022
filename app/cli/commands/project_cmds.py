"""`copydesk projects add|list` and `copydesk pieces list`: projects and pieces, headless."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from app.cli.context import CliContext
from app.domain.status import PIECE_STATUSES
from app.services import clients, pieces, projects


def register(sub: Any) -> None:
    group = _actions(sub, "projects", "clients' projects (brands or sites)")
    add = group.add_parser("add", help="add a project to a client (the client is created if new)")
    add.add_argument("name", metavar="NAME", help="the project's name, e.g. 'Main store'")
    add.add_argument(
        "--client", required=True, metavar="CLIENT", help="the client's name, slug or id"
    )
    add.add_argument("--store-url", metavar="URL", help="the store's web address")
    add.add_argument("--slug", help="the project's short name (default: made from NAME)")
    add.set_defaults(func=add_project)

    listing = group.add_parser("list", help="list projects by client")
    listing.add_argument("--client", metavar="CLIENT", help="only this client's projects")
    listing.add_argument("--all", action="store_true", help="include archived projects")
    listing.set_defaults(func=list_projects)

    piece_group = _actions(sub, "pieces", "pieces of content")
    piece_list = piece_group.add_parser("list", help="list pieces, newest first")
    piece_list.add_argument(
        "--project", metavar="P", help="only this project (id, client/project, slug or name)"
    )
    piece_list.add_argument(
        "--status",
        metavar="S",
        choices=PIECE_STATUSES,
        help=f"only this status: {', '.join(PIECE_STATUSES)}",
    )
    piece_list.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    piece_list.set_defaults(func=list_pieces)


def add_project(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.open_db().session() as session:
        client = clients.ensure_client(session, args.client)
        project = projects.create_project(
            session, client.id, args.name, slug=args.slug, store_url=args.store_url
        )
        ref = f"{client.slug}/{project.slug}"
        store = f" ({project.store_url})" if project.store_url else ""
    ctx.echo(f"Added project {ref}{store}.")
    return 0


def list_projects(args: argparse.Namespace, ctx: CliContext) -> int:
    with ctx.open_db().session() as session:
        client_id = clients.find_client(session, args.client).id if args.client else None
        rows = [
            (
                f"{project.client.slug}/{project.slug}",
                project.name,
                project.status,
                project.store_url or "",
                "yes" if project.brand_voice else "no",
            )
            for project in projects.list_projects(
                session, client_id=client_id, include_archived=args.all
            )
        ]
    if not rows:
        ctx.echo("No projects yet. Add one with: copydesk projects add NAME --client CLIENT")
        return 0
    _table(ctx, ("PROJECT", "NAME", "STATUS", "STORE URL", "BRAND VOICE"), rows)
    return 0


def list_pieces(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.limit < 1:
        ctx.warn("copydesk: --limit must be at least 1")
        return 2
    with ctx.open_db().session() as session:
        project_id = projects.find_project(session, args.project).id if args.project else None
        summaries = pieces.list_piece_summaries(
            session, project_id=project_id, status=args.status, limit=args.limit
        )
    if not summaries:
        ctx.echo("No pieces match.")
        return 0
    rows = [
        (
            str(summary.id)[:8],
            summary.created_at.strftime("%Y-%m-%d %H:%M"),
            summary.project_ref,
            summary.skill_name or "-",
            summary.status,
            " ".join(f"{p.platform}:{p.status}" for p in summary.platforms),
            _clip(summary.display_title, 50),
        )
        for summary in summaries
    ]
    _table(ctx, ("ID", "CREATED (UTC)", "PROJECT", "SKILL", "STATUS", "PLATFORMS", "TITLE"), rows)
    return 0


def _actions(sub: Any, name: str, help_text: str) -> Any:
    """The sub-action parsers of command group ``name``, reusing the group if it exists."""
    existing = sub.choices.get(name)
    if existing is not None:
        for action in existing._actions:
            if isinstance(action, argparse._SubParsersAction):
                return action
    group = sub.add_parser(name, help=help_text)
    return group.add_subparsers(dest=f"{name}_command", metavar="ACTION")


def _table(ctx: CliContext, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        ctx.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
