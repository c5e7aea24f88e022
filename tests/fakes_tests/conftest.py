"""openai clients bound to the fake servers of tests/fixtures/openrouter.py."""

from collections.abc import Iterator

import pytest
from openai import OpenAI

from tests.fakes.openrouter_server import FakeOpenRouter
from tests.fakes_tests.openai_clients import make_client


@pytest.fixture
def client(openrouter: FakeOpenRouter) -> Iterator[OpenAI]:
    with make_client(openrouter) as openai_client:
        yield openai_client


@pytest.fixture
def local_client(openrouter_local: FakeOpenRouter) -> Iterator[OpenAI]:
    with make_client(openrouter_local) as openai_client:
        yield openai_client
