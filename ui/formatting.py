"""How numbers, money, times and statuses read in the interface."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

PLATFORM_LABELS = {"blog": "Blog", "linkedin": "LinkedIn", "x": "X"}

STATUS_LABELS = {
    # pieces
    "draft": "Draft",
    "queued": "Queued",
    "generating": "Generating",
    "awaiting_review": "Awaiting review",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "archived": "Archived",
    # platforms
    "pending": "Waiting",
    "evaluating": "Evaluating",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "published": "Published",
    # steps
    "running": "Running",
    "skipped": "Skipped",
}

AGENT_LABELS = {
    "brand-voice-analyzer": "Brand voice",
    "blog-writer": "Writer",
    "blog-editor": "Editor",
    "seo-specialist": "SEO specialist",
    "senior-editor": "Senior editor",
    "blog-reviewer": "Reviewer",
}

CRITERIA_LABELS = {
    "platform_appropriateness": "Fits the platform",
    "style_consistency": "Brand style",
    "clarity": "Clarity",
    "engagement": "Engagement",
    "grammar": "Grammar",
}


def platform_label(name: str) -> str:
    return PLATFORM_LABELS.get(name, name.title())


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def agent_label(agent_id: str) -> str:
    return AGENT_LABELS.get(agent_id, agent_id.replace("-", " ").capitalize())


def money(amount: Decimal | None, *, estimated: bool = False) -> str:
    if amount is None:
        return "—"
    prefix = "≈ " if estimated else ""
    if amount == 0:
        return f"{prefix}$0.00"
    # Model calls cost fractions of a cent: below a dollar, four decimals, so a column of
    # costs lines up and small differences still show.
    if abs(amount) < 1:
        return f"{prefix}${amount:.4f}"
    return f"{prefix}${amount:,.2f}"


def count(n: int) -> str:
    return f"{n:,}"


def tokens(n_in: int, n_out: int) -> str:
    return f"{n_in:,} in · {n_out:,} out"


def duration(ms: int | None) -> str:
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{ms} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes} min {seconds:02d} s"


def elapsed(seconds: float) -> str:
    """A running time as a clock reads it: 0:07, 1:42, 1:02:03."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def when(moment: dt.datetime | None, *, now: dt.datetime | None = None) -> str:
    """A local time: just the time today, the date otherwise."""
    if moment is None:
        return "—"
    local = moment.astimezone()
    today = (now or dt.datetime.now().astimezone()).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%d %b, %H:%M")
    return local.strftime("%d %b %Y")


def age(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 90:
        return "just now"
    minutes = seconds // 60
    if minutes < 90:
        return f"{minutes} minutes ago"
    hours = minutes // 60
    if hours < 36:
        return f"{hours} hours ago"
    return f"{hours // 24} days ago"
