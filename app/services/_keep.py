"""A marker for "leave this field as it is" in update functions where None means "clear"."""

from __future__ import annotations

from enum import Enum
from typing import Final


class Keep(Enum):
    KEEP = "keep"


KEEP: Final = Keep.KEEP
