"""The key lives in the OS keyring and nowhere else."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring.backend
import pytest

from app import keystore
from app.keystore import (
    InvalidKey,
    KeyringUnavailable,
    KeySource,
    key_hash,
    key_state,
    load_api_key,
    mask_key,
    save_api_key,
)

KEY = "sk-or-v1-0123456789abcdef0123456789abcdef"


def test_save_load_delete_round_trip(keyring_backend: keyring.backend.KeyringBackend) -> None:
    assert load_api_key() is None
    info = save_api_key(f"  {KEY}\n")
    assert info.usable
    assert type(keyring_backend).__name__ in info.name
    assert load_api_key() == KEY
    assert key_state().source is KeySource.KEYRING
    assert keystore.delete_api_key() is True
    assert load_api_key() is None
    assert keystore.delete_api_key() is False


def test_environment_overrides_keyring(
    keyring_backend: keyring.backend.KeyringBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_api_key(KEY)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-from-env-123456")
    assert load_api_key() == "sk-or-from-env-123456"
    assert key_state().source is KeySource.ENVIRONMENT


def test_no_keyring_explains_alternatives_and_writes_nothing(
    no_keyring: None, isolated_home: Path
) -> None:
    with pytest.raises(KeyringUnavailable) as err:
        save_api_key(KEY)
    message = str(err.value)
    assert "OPENROUTER_API_KEY" in message and "gnome-keyring" in message
    assert KEY not in message
    assert not [p for p in isolated_home.rglob("*") if p.is_file()], "nothing may be written"
    assert key_state().source is KeySource.NONE
    assert not key_state().backend.usable


@pytest.mark.parametrize("bad", ["", "   ", "sk-or-abc def", "sk-or-abc\nsk-or-def"])
def test_malformed_keys_are_refused(memory_keyring: object, bad: str) -> None:
    with pytest.raises(InvalidKey):
        save_api_key(bad)
    assert load_api_key() is None


def test_hash_and_mask_never_reveal_the_key() -> None:
    digest = key_hash(KEY)
    assert len(digest) == 16 and digest == key_hash(KEY) and digest != key_hash(KEY + "x")
    assert KEY[6:-4] not in digest
    masked = mask_key(KEY)
    assert masked.startswith("sk-or-") and masked.endswith(KEY[-4:])
    assert KEY[6:-4] not in masked


def test_log_records_are_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    from app.logging_setup import SecretScrubber

    logger = logging.getLogger("copydesk.test")
    logger.addFilter(SecretScrubber())
    try:
        with caplog.at_level(logging.INFO):
            logger.info("server said: bad key %s; header Bearer %s", KEY, KEY)
    finally:
        logger.filters.clear()
    assert KEY not in caplog.text
    assert "sk-or-…" in caplog.text
