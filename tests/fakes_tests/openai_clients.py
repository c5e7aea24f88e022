"""The official `openai` client pointed at a fake: an independent judge of the fake's protocol."""

from openai import OpenAI

from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter


def make_client(fake: FakeOpenRouter, *, max_retries: int = 0, api_key: str = TEST_KEY) -> OpenAI:
    return OpenAI(
        base_url=fake.base_url,
        api_key=api_key,
        max_retries=max_retries,
        timeout=5,
        default_headers={"HTTP-Referer": "https://copydesk.example", "X-Title": "Copydesk"},
    )
