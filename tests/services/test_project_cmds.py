"""`copydesk projects add|list` and `copydesk pieces list`, driven through argparse."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator

import pytest

from app.cli.commands.project_cmds import register
from app.cli.context import CliContext
from app.cli.errors import EXIT_INPUT, exit_code_for
from app.config import load_config
from app.db.engine import Database
from app.services import pieces, projects
from app.services.errors import AlreadyExists, AmbiguousReference
from tests.services.builders import make_piece


class Cli:
    """Runs one command line against the test database and keeps what it printed."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.parser = argparse.ArgumentParser(prog="copydesk")
        register(self.parser.add_subparsers(dest="command"))
        self.out = io.StringIO()

    def __call__(self, *argv: str) -> int:
        args = self.parser.parse_args(argv)
        ctx = CliContext(load_config(self.url), stdout=self.out, stderr=io.StringIO())
        try:
            code: int = args.func(args, ctx)
            return code
        finally:
            ctx.close()

    def output(self) -> str:
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return text


@pytest.fixture
def cli(db: Database) -> Iterator[Cli]:
    yield Cli(db.url)


def test_add_creates_the_client_once_and_the_project(cli: Cli, db: Database) -> None:
    assert (
        cli("projects", "add", "Main Store", "--client", "Acme Bridal", "--store-url", "acme.test")
        == 0
    )
    assert cli.output() == "Added project acme-bridal/main-store (https://acme.test).\n"
    assert cli("projects", "add", "Outlet", "--client", "acme-bridal") == 0

    with db.session() as session:
        outlet = projects.find_project(session, "acme-bridal/outlet")
        assert outlet.client.name == "Acme Bridal"
        assert len(projects.list_projects(session)) == 2


def test_add_twice_is_an_input_error(cli: Cli) -> None:
    cli("projects", "add", "Main", "--client", "Acme")

    with pytest.raises(AlreadyExists) as raised:
        cli("projects", "add", "main", "--client", "Acme")
    assert exit_code_for(raised.value) == EXIT_INPUT


def test_list_projects(cli: Cli) -> None:
    assert cli("projects", "list") == 0
    assert "No projects yet" in cli.output()
    cli("projects", "add", "Main", "--client", "Acme", "--store-url", "https://acme.test")
    cli("projects", "add", "Blog", "--client", "Zed")
    cli.output()

    assert cli("projects", "list") == 0
    lines = cli.output().splitlines()
    assert lines[0].split() == ["PROJECT", "NAME", "STATUS", "STORE", "URL", "BRAND", "VOICE"]
    assert lines[1].split() == ["acme/main", "Main", "active", "https://acme.test", "no"]
    assert lines[2].split() == ["zed/blog", "Blog", "active", "no"]
    cli("projects", "list", "--client", "zed")
    assert len(cli.output().splitlines()) == 2


def test_list_pieces_filters_by_project_and_status(cli: Cli, db: Database) -> None:
    cli("projects", "add", "Main", "--client", "Acme")
    cli("projects", "add", "Main", "--client", "Zed")
    with db.session() as session:
        acme = projects.find_project(session, "acme/main")
        zed = projects.find_project(session, "zed/main")
        queued = make_piece(session, acme, platforms=["blog", "x"])
        pieces.set_piece_status(session, queued.id, "queued")
        make_piece(session, zed, platforms=["linkedin"])
    cli.output()

    assert cli("pieces", "list") == 0
    assert len(cli.output().splitlines()) == 3
    assert cli("pieces", "list", "--project", "acme/main", "--status", "queued") == 0
    header, row = cli.output().splitlines()
    assert header.split()[:4] == ["ID", "CREATED", "(UTC)", "PROJECT"]
    assert str(queued.id)[:8] in row
    assert "acme/main" in row and "queued" in row and "blog:pending x:pending" in row
    assert cli("pieces", "list", "--project", "zed/main", "--status", "failed") == 0
    assert cli.output() == "No pieces match.\n"
    with pytest.raises(AmbiguousReference, match="acme/main, zed/main"):
        cli("pieces", "list", "--project", "main")
    with pytest.raises(SystemExit):
        cli("pieces", "list", "--status", "done")


def test_the_pieces_group_is_shared_with_other_modules() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    other = sub.add_parser("pieces").add_subparsers(dest="pieces_command")
    other.add_parser("show").set_defaults(func="show")

    register(sub)

    assert parser.parse_args(["pieces", "show"]).func == "show"
    assert parser.parse_args(["pieces", "list"]).func.__name__ == "list_pieces"
