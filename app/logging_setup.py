"""Logging to a rotating file in the user log directory, with secrets scrubbed from every record."""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

# Defence in depth: code never logs the key, but a server may echo one back in an error body.
_SECRET_PATTERNS = (
    re.compile(r"sk-or-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9_\-.~+/=]{8,}"),
    re.compile(r"(?i)(postgres(?:ql)?(?:\+\w+)?://[^:/@\s]+:)[^@\s]+(@)"),
)


def scrub(text: str) -> str:
    text = _SECRET_PATTERNS[0].sub("sk-or-…", text)
    text = _SECRET_PATTERNS[1].sub(r"\1…", text)
    return _SECRET_PATTERNS[2].sub(r"\1***\2", text)


class SecretScrubber(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(log_file: Path | None, *, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    scrubber = SecretScrubber()
    if log_file is not None:
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
            )
        except OSError:
            handler = logging.StreamHandler()
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(scrubber)
    root.addHandler(handler)
