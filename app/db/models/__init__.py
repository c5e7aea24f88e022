"""All Copydesk models; importing this package registers every table on ``Base.metadata``."""

from app.db.base import Base
from app.db.models.caches import BrandVoiceCacheEntry, CachedProduct
from app.db.models.catalog import (
    AgentModelConfig,
    AppSetting,
    ModelCatalogEntry,
    PromptTemplate,
    Skill,
)
from app.db.models.content import (
    AgentStep,
    Draft,
    Evaluation,
    Feedback,
    Piece,
    PlatformState,
    PublishingJob,
)
from app.db.models.people import (
    Client,
    Project,
    ProjectMetadata,
    Resource,
    User,
    VocabularyTerm,
)
from app.db.models.usage import LlmCall

__all__ = [
    "AgentModelConfig",
    "AgentStep",
    "AppSetting",
    "Base",
    "BrandVoiceCacheEntry",
    "CachedProduct",
    "Client",
    "Draft",
    "Evaluation",
    "Feedback",
    "LlmCall",
    "ModelCatalogEntry",
    "Piece",
    "PlatformState",
    "Project",
    "ProjectMetadata",
    "PromptTemplate",
    "PublishingJob",
    "Resource",
    "Skill",
    "User",
    "VocabularyTerm",
]
