"""Which model each agent uses, edited safely when two admins change the same agent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db.models import AgentModelConfig
from app.llm.model_ids import InvalidModelId, normalise_model_id, normalise_model_ids
from app.services import _checks
from app.services._keep import KEEP, Keep
from app.services.errors import InvalidInput, NotFound, StaleEdit

MAX_TOKENS_LIMIT = 1_000_000


@dataclass(frozen=True)
class AgentSettings:
    """A detached copy of an agent's configuration, safe to hand to another thread."""

    agent_id: str
    agent_label: str
    model_id: str
    fallback_models: tuple[str, ...]
    temperature: Decimal
    max_tokens: int
    user_modified: bool
    version: int


def list_agent_configs(session: Session) -> list[AgentModelConfig]:
    """In seeding order, which is the pipeline order of the built-in agents."""
    return list(session.scalars(select(AgentModelConfig).order_by(AgentModelConfig.id)))


def get_agent_config(session: Session, agent_id: str) -> AgentModelConfig:
    config = session.scalar(select(AgentModelConfig).where(AgentModelConfig.agent_id == agent_id))
    if config is None:
        raise NotFound(f"no agent {agent_id!r} is configured")
    return config


def agent_settings(session: Session, agent_id: str) -> AgentSettings:
    return to_settings(get_agent_config(session, agent_id))


def to_settings(config: AgentModelConfig) -> AgentSettings:
    return AgentSettings(
        agent_id=config.agent_id,
        agent_label=config.agent_label,
        model_id=config.model_id,
        fallback_models=tuple(config.fallback_models or ()),
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        user_modified=config.user_modified,
        version=config.version,
    )


def update_agent_config(
    session: Session,
    agent_id: str,
    *,
    expected_version: int,
    agent_label: str | Keep = KEEP,
    model_id: str | Keep = KEEP,
    fallback_models: Sequence[str] | Keep = KEEP,
    temperature: Decimal | float | str | Keep = KEEP,
    max_tokens: int | Keep = KEEP,
) -> AgentModelConfig:
    """Apply an edit made to version ``expected_version`` of the agent's configuration.

    Raises StaleEdit when the stored version is newer, whether that is seen on reading or,
    if another session saves in between, when this change is flushed.
    """
    config = get_agent_config(session, agent_id)
    if config.version != expected_version:
        raise StaleEdit(_stale_message(agent_id, expected_version, config.version))
    if not isinstance(agent_label, Keep):
        config.agent_label = _checks.required_text("agent label", agent_label, max_length=255)
    if not isinstance(model_id, Keep):
        config.model_id = normalised_model_id(model_id)
    if not isinstance(fallback_models, Keep):
        config.fallback_models = normalised_fallbacks(fallback_models)
    if not isinstance(temperature, Keep):
        config.temperature = checked_temperature(temperature)
    if not isinstance(max_tokens, Keep):
        config.max_tokens = checked_max_tokens(max_tokens)
    config.user_modified = True
    try:
        session.flush()
    except StaleDataError as error:
        raise StaleEdit(_stale_message(agent_id, expected_version, None)) from error
    return config


def normalised_model_id(model_id: str) -> str:
    try:
        return normalise_model_id(_checks.required_text("model id", model_id, max_length=255))
    except InvalidModelId as error:
        raise InvalidInput(str(error)) from error


def normalised_fallbacks(model_ids: Sequence[str]) -> list[str]:
    if isinstance(model_ids, str):
        raise InvalidInput("fallback models must be a list of model ids, not a single string")
    try:
        return normalise_model_ids(list(model_ids))
    except InvalidModelId as error:
        raise InvalidInput(f"fallback models: {error}") from error


def checked_temperature(value: Decimal | float | str) -> Decimal:
    if isinstance(value, bool):
        raise InvalidInput(f"temperature must be a number from 0 to 2, got {value!r}")
    try:
        temperature = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise InvalidInput(f"temperature must be a number from 0 to 2, got {value!r}") from error
    if not temperature.is_finite() or not Decimal(0) <= temperature <= Decimal(2):
        raise InvalidInput(f"temperature must be from 0 to 2, got {value}")
    # The column keeps two decimals.
    return temperature.quantize(Decimal("0.01"))


def checked_max_tokens(value: int) -> int:
    return _checks.int_in_range("max tokens", value, 1, MAX_TOKENS_LIMIT)


def _stale_message(agent_id: str, expected: int, current: int | None) -> str:
    newer = f" (now version {current})" if current is not None else ""
    return (
        f"the settings of agent {agent_id!r} were changed by someone else since you opened them "
        f"(you edited version {expected}{newer}); reload them and apply your change again"
    )
