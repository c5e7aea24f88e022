"""Test-wide setup: each fixture family lives in its own module under tests/fixtures/."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "tests.fixtures.environment",
    "tests.fixtures.databases",
    "tests.fixtures.openrouter",
    "tests.fixtures.store",
    "tests.fixtures.keyrings",
]
