"""Warming the template cache compiles every bundled prompt once, up front."""

from pathlib import Path

from app.agents import prompts

PROMPTS = Path(__file__).resolve().parents[2] / "resources" / "prompts"


def test_warming_compiles_every_bundled_template() -> None:
    prompts._compiled.cache_clear()
    count = prompts.warm_bundled_templates()
    assert count == len(list(PROMPTS.glob("*.j2"))) > 0
    assert prompts._compiled.cache_info().currsize == count
    # A render of a bundled template now hits the cache rather than compiling.
    misses = prompts._compiled.cache_info().misses
    prompts._compiled(prompts.bundled_template("blog-writer", "system"))
    assert prompts._compiled.cache_info().misses == misses
