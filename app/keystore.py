"""The OpenRouter key: kept in the OS keyring (service `copydesk`) and nowhere else.

`OPENROUTER_API_KEY` overrides the keyring for headless use. When no keyring backend works,
saving fails with an explanation of the alternatives; the key is never written to a file.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from enum import StrEnum

import keyring
import keyring.backend
import keyring.errors

SERVICE = "copydesk"
ACCOUNT = "openrouter-api-key"
KEY_ENV = "OPENROUTER_API_KEY"

log = logging.getLogger(__name__)

NO_KEYRING_HELP = (
    "No OS keyring is available on this system, so Copydesk cannot store the key. "
    "Either start a Secret Service provider (GNOME Keyring or KWallet; on a headless box: "
    "`dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; copydesk'`), "
    "or set the OPENROUTER_API_KEY environment variable for this session. "
    "Copydesk never writes the key to a file."
)


class KeySource(StrEnum):
    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    NONE = "none"


class KeyringUnavailable(RuntimeError):
    """No usable keyring backend; the message explains the alternatives."""


class InvalidKey(ValueError):
    """The text given cannot be an API key (empty, or contains spaces or line breaks)."""


@dataclass(frozen=True)
class BackendInfo:
    name: str
    usable: bool
    reason: str = ""


@dataclass(frozen=True)
class KeyState:
    source: KeySource
    backend: BackendInfo

    @property
    def present(self) -> bool:
        return self.source is not KeySource.NONE


def key_hash(key: str) -> str:
    """A short, stable fingerprint for usage rows: never reversible to the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def mask_key(key: str) -> str:
    """What a person may see of a key: its family prefix and last four characters."""
    key = key.strip()
    if len(key) <= 8:
        return "•" * len(key)
    prefix = key[:6] if key.startswith("sk-or-") else key[:3]
    return f"{prefix}…{key[-4:]}"


def normalise_key(text: str) -> str:
    key = text.strip()
    if not key:
        raise InvalidKey("The key is empty.")
    if any(ch.isspace() for ch in key):
        raise InvalidKey("The key contains spaces or line breaks; paste it exactly as issued.")
    return key


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    label = getattr(backend, "name", "") or cls.__name__
    return f"{label} ({cls.__module__}.{cls.__name__})"


def backend_info() -> BackendInfo:
    """Which keyring backend is in use, and whether it can actually hold a secret."""
    backend = keyring.get_keyring()
    name = _backend_name(backend)
    module = type(backend).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return BackendInfo(name, False, "no keyring backend is installed or running")
    chained = getattr(backend, "backends", None)
    if chained is not None and not chained:
        return BackendInfo(name, False, "no keyring backend is installed or running")
    try:
        keyring.get_password(SERVICE, "__copydesk_probe__")
    except keyring.errors.KeyringError as exc:
        return BackendInfo(name, False, f"the keyring did not answer: {type(exc).__name__}")
    return BackendInfo(name, True)


def load_api_key() -> str | None:
    """The key from the environment, else the keyring; None when neither has one."""
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return env
    try:
        stored = keyring.get_password(SERVICE, ACCOUNT)
    except keyring.errors.KeyringError as exc:
        log.warning("Could not read the key from the keyring: %s", type(exc).__name__)
        return None
    return stored or None


def key_state() -> KeyState:
    info = backend_info()
    if os.environ.get(KEY_ENV, "").strip():
        return KeyState(KeySource.ENVIRONMENT, info)
    if info.usable and load_api_key():
        return KeyState(KeySource.KEYRING, info)
    return KeyState(KeySource.NONE, info)


def save_api_key(text: str) -> BackendInfo:
    """Store the key in the keyring and return the backend that holds it."""
    key = normalise_key(text)
    info = backend_info()
    if not info.usable:
        raise KeyringUnavailable(f"{NO_KEYRING_HELP} ({info.reason}.)")
    try:
        keyring.set_password(SERVICE, ACCOUNT, key)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            f"The keyring refused to store the key ({type(exc).__name__}). {NO_KEYRING_HELP}"
        ) from None
    return info


def delete_api_key() -> bool:
    """Remove the stored key; False when there was none."""
    try:
        keyring.delete_password(SERVICE, ACCOUNT)
    except keyring.errors.PasswordDeleteError:
        return False
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            f"The keyring could not delete the key ({type(exc).__name__})."
        ) from None
    return True
