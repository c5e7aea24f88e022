"""Every status and kind value stored in the database.

The CHECK constraints in the schema are built from these enums, so services, the UI and the
database always agree on the allowed values.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    EDITOR = "editor"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class ProjectStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class VocabularyUsage(StrEnum):
    PREFER = "prefer"
    AVOID = "avoid"
    NEUTRAL = "neutral"


class ResourceType(StrEnum):
    STYLE_SAMPLE = "style_sample"
    REFERENCE = "reference"
    IMAGE = "image"


class SkillType(StrEnum):
    SIMPLE = "simple"
    WITH_RULES = "with_rules"
    COMPLEX = "complex"


class OutputFormat(StrEnum):
    MARKDOWN = "markdown"
    JSON = "json"
    HTML = "html"


class PieceMode(StrEnum):
    MANUAL = "manual"
    TEMPLATE = "template"


class PieceStatus(StrEnum):
    DRAFT = "draft"
    QUEUED = "queued"
    GENERATING = "generating"
    AWAITING_REVIEW = "awaiting_review"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ARCHIVED = "archived"


class Platform(StrEnum):
    BLOG = "blog"
    LINKEDIN = "linkedin"
    X = "x"


class PlatformStatus(StrEnum):
    PENDING = "pending"
    GENERATING = "generating"
    EVALUATING = "evaluating"
    AWAITING_REVIEW = "awaiting_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DraftSource(StrEnum):
    AI = "ai"
    HUMAN = "human"


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


class PublishingStatus(StrEnum):
    QUEUED = "queued"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"


class FeedbackSeverity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The stored values of an enum, in declaration order."""
    return tuple(member.value for member in enum)


ROLES = values(Role)
PROJECT_STATUSES = values(ProjectStatus)
VOCABULARY_USAGES = values(VocabularyUsage)
RESOURCE_TYPES = values(ResourceType)
SKILL_TYPES = values(SkillType)
OUTPUT_FORMATS = values(OutputFormat)
PIECE_MODES = values(PieceMode)
PIECE_STATUSES = values(PieceStatus)
PLATFORMS = values(Platform)
PLATFORM_STATUSES = values(PlatformStatus)
DRAFT_SOURCES = values(DraftSource)
STEP_STATUSES = values(StepStatus)
PUBLISHING_STATUSES = values(PublishingStatus)
FEEDBACK_SEVERITIES = values(FeedbackSeverity)

# Piece states from which no further work happens without a person acting.
FINISHED_PIECE_STATUSES = (
    PieceStatus.COMPLETED,
    PieceStatus.FAILED,
    PieceStatus.CANCELLED,
    PieceStatus.ARCHIVED,
)
