"""The wizard's work, each a plain function run on a worker thread: reads and writes go
through app/'s services, and only plain data comes back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ui.wizard.request import PieceRequest, ProjectChoice, SkillChoice

if TYPE_CHECKING:
    from app.db.engine import Database
    from app.db.models import Project, Skill
    from app.sources.catalog import Product
    from ui.backend import Backend


# -- projects and skills ---------------------------------------------------------------------


def _project_choice(project: Project) -> ProjectChoice:
    return ProjectChoice(
        id=project.id,
        client_name=project.client.name,
        name=project.name,
        store_url=project.store_url,
        brand_voice=dict(project.brand_voice) if project.brand_voice else None,
        voice_confirmed=project.brand_voice_confirmed_at is not None,
    )


def load_projects(db: Database) -> list[ProjectChoice]:
    from app.services.projects import list_projects

    with db.session() as session:
        return [_project_choice(project) for project in list_projects(session)]


def load_clients(db: Database) -> list[str]:
    from app.services.clients import list_clients

    with db.session() as session:
        return [client.name for client in list_clients(session)]


def create_project(db: Database, client: str, name: str, store_url: str) -> ProjectChoice:
    from app.services.clients import ensure_client
    from app.services.errors import InvalidInput
    from app.services.projects import create_project as create

    if not client.strip():
        raise InvalidInput("the client's name must not be empty")
    with db.session() as session:
        owner = ensure_client(session, client.strip())
        project = create(session, owner.id, name, store_url=store_url.strip() or None)
        session.flush()
        session.refresh(project, ["client"])
        return _project_choice(project)


def _skill_choice(skill: Skill, matched: Sequence[str] = ()) -> SkillChoice:
    return SkillChoice(
        name=skill.name,
        label=skill.label or skill.name,
        description=skill.description,
        default_platforms=tuple(skill.default_platforms or ()),
        template_inputs=dict(skill.template_inputs) if skill.template_inputs else None,
        matched=tuple(matched),
    )


def load_skills(db: Database, goal: str) -> list[SkillChoice]:
    """Every skill; those whose trigger keywords occur in ``goal`` first, best match first."""
    from app.services.skills import list_skills, matched_keywords, suggest_skills

    with db.session() as session:
        suggested = suggest_skills(session, goal, limit=50) if goal.strip() else []
        first = [_skill_choice(s.skill, matched_keywords(s.skill, goal)) for s in suggested]
        seen = {choice.name for choice in first}
        rest = [_skill_choice(skill) for skill in list_skills(session) if skill.name not in seen]
    return first + sorted(rest, key=lambda choice: choice.label.lower())


# -- brand voice -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VoiceResult:
    profile: dict[str, Any]
    url: str
    cached: bool
    analysed_at: dt.datetime
    model: str | None
    cost: Decimal | None


def cached_voice(db: Database, url: str) -> VoiceResult | None:
    from app.sources.cache import BrandVoiceCache

    hit = BrandVoiceCache(db).get(url)
    if hit is None:
        return None
    return VoiceResult(hit.analysis, hit.url, True, hit.cached_at, hit.model, None)


def analyse_voice(
    backend: Backend,
    url: str,
    project_id: uuid.UUID | None,
    *,
    force: bool,
    on_progress: Callable[[str], None],
    cancel: Any = None,
) -> VoiceResult:
    from app.services.agent_configs import agent_settings
    from app.sources.brand_voice import AGENT_ID, analyze_brand_voice

    with backend.db.session() as session:
        settings = agent_settings(session, AGENT_ID)
    with backend.make_llm() as llm:
        result = analyze_brand_voice(
            url,
            db=backend.db,
            llm=llm,
            model_config=settings,
            force=force,
            on_event=lambda event: on_progress(event.message),
            cancel=cancel,
            project_id=project_id,
        )
    cost = result.completion.cost if result.completion is not None else None
    return VoiceResult(
        result.profile, result.url, result.cached, result.cached_at, result.model, cost
    )


def confirm_voice(db: Database, project_id: uuid.UUID, profile: dict[str, Any]) -> None:
    from app.services.projects import set_brand_voice

    with db.session() as session:
        set_brand_voice(session, project_id, profile)


# -- sources ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductRow:
    external_id: str
    name: str
    vendor: str
    category: str
    price: str
    tags: tuple[str, ...]

    def matches(self, words: Sequence[str]) -> bool:
        haystack = " ".join((self.name, self.vendor, self.category, *self.tags)).casefold()
        return all(word in haystack for word in words)


def _row(product: Product) -> ProductRow:
    price = product.price_text or (
        f"{product.price} {product.currency or ''}".strip() if product.price is not None else ""
    )
    return ProductRow(
        product.external_id,
        product.name,
        product.vendor or "",
        product.category or "",
        price,
        product.tags,
    )


@dataclass(frozen=True)
class Catalog:
    source: str
    label: str
    products: tuple[ProductRow, ...]


def load_catalog(db: Database, source: str) -> Catalog:
    """The products of a store URL or ``file:<name>`` source; a store is fetched only when
    nothing fresh is cached."""
    from app.sources.cache import ProductCache, is_file_source

    products = ProductCache(db).get_products(source)
    label = source.removeprefix("file:") if is_file_source(source) else source
    return Catalog(source, label, tuple(_row(p) for p in products))


def import_store(
    db: Database, store_url: str, on_page: Callable[[int, int], None] | None = None
) -> Catalog:
    from app.sources.cache import ProductCache, store_source

    products = ProductCache(db).import_store(store_url, on_page=on_page)
    source = store_source(store_url)
    return Catalog(source, source, tuple(_row(p) for p in products))


def import_file(db: Database, path: Path) -> Catalog:
    from app.sources.cache import ProductCache, file_source

    products = ProductCache(db).import_file(path, path.name)
    return Catalog(file_source(path.name), path.name, tuple(_row(p) for p in products))


@dataclass(frozen=True)
class ResourceRow:
    id: uuid.UUID
    type: str
    title: str
    excerpt: str


def load_resources(db: Database, project_id: uuid.UUID) -> list[ResourceRow]:
    from app.services.project_resources import list_resources

    with db.session() as session:
        return [
            ResourceRow(r.id, r.type, r.title or "(untitled)", " ".join(r.content.split())[:160])
            for r in list_resources(session, project_id)
            if r.type in ("style_sample", "reference")
        ]


def add_resource(
    db: Database, project_id: uuid.UUID, kind: str, title: str, content: str
) -> ResourceRow:
    from app.services.project_resources import add_resource as add

    with db.session() as session:
        r = add(session, project_id, kind, content, title=title or None)
        return ResourceRow(r.id, r.type, r.title or "(untitled)", " ".join(content.split())[:160])


# -- estimate and launch ---------------------------------------------------------------------

# Rough sizes for an estimate before anything is written: output tokens of one draft per
# platform, what the reviewer and the SEO specialist add, and the scaffolding of a prompt.
DRAFT_TOKENS = {"blog": 1400, "linkedin": 350, "x": 320}
REVIEW_TOKENS = 250
SEO_EXTRA_TOKENS = 150
PROMPT_BASE_TOKENS = 900
CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class StepEstimate:
    platform: str
    agent_id: str
    agent_label: str
    model: str
    input_tokens: int
    output_tokens: int
    cost: Decimal | None


@dataclass(frozen=True)
class RunEstimate:
    steps: tuple[StepEstimate, ...]
    first_pass: Decimal | None  # None when a price is unknown
    with_revisions: Decimal | None
    unknown_models: tuple[str, ...]
    catalog_date: dt.datetime | None


def estimate_run(backend: Backend, request: PieceRequest, context_chars: int) -> RunEstimate:
    """What the first pass would cost at catalog prices, and the most revision rounds add."""
    from app.agents.roles import FIRST_PASS, REVISION
    from app.llm.catalog import last_fetched
    from app.llm.results import Usage
    from app.services.agent_configs import list_agent_configs, to_settings

    with backend.db.session() as session:
        configs = {c.agent_id: to_settings(c) for c in list_agent_configs(session)}
    context = PROMPT_BASE_TOKENS + context_chars // CHARS_PER_TOKEN
    steps: list[StepEstimate] = []
    unknown: set[str] = set()

    def cost_of(model: str, tokens_in: int, tokens_out: int) -> Decimal | None:
        prices = backend.prices(model)
        if prices is None or not prices.known:
            unknown.add(model)
            return None
        return prices.cost_of(Usage(tokens_in, tokens_out))

    def add(platform: str, agent_id: str, label: str, *, listed: bool = True) -> Decimal | None:
        settings = configs.get(agent_id)
        model = settings.model_id if settings else "?"
        draft = DRAFT_TOKENS.get(platform, 800)
        tokens_in = context + (0 if agent_id == "blog-writer" else draft)
        tokens_out = {
            "blog-reviewer": REVIEW_TOKENS,
            "seo-specialist": draft + SEO_EXTRA_TOKENS,
        }.get(agent_id, draft)
        if settings is not None:
            tokens_out = min(tokens_out, settings.max_tokens)
        cost = cost_of(model, tokens_in, tokens_out)
        if listed:
            steps.append(
                StepEstimate(platform, agent_id, label, model, tokens_in, tokens_out, cost)
            )
        return cost

    first: list[Decimal | None] = []
    extra: list[Decimal | None] = []
    for platform in request.platforms:
        first.extend(add(platform, role.agent_id, role.label) for role in FIRST_PASS)
        revision = [add(platform, r.agent_id, r.label, listed=False) for r in REVISION]
        extra.extend(revision * request.max_iterations)
    first_total = None if None in first else sum((c for c in first if c), Decimal(0))
    extra_total = None if None in extra else sum((c for c in extra if c), Decimal(0))
    return RunEstimate(
        steps=tuple(steps),
        first_pass=first_total,
        with_revisions=(
            first_total + extra_total
            if first_total is not None and extra_total is not None
            else None
        ),
        unknown_models=tuple(sorted(unknown)),
        catalog_date=last_fetched(backend.db),
    )


def launch(db: Database, request: PieceRequest) -> uuid.UUID:
    """Create the queued piece (the run is started by the caller)."""
    from app.agents.generate import start_piece

    assert request.project is not None
    manual = request.mode == "manual"
    return start_piece(
        db,
        project_ref=str(request.project.id),
        skill_name=request.skill.name if request.skill else None,
        platforms=request.platforms,
        product_ids=() if manual else request.product_ids,
        instructions=request.instructions or None,
        template_inputs=request.template_inputs or None,
        mode=request.mode,
        source_content=request.source_content if manual else None,
        goal=request.goal or None,
        options={
            "score_threshold": request.score_threshold,
            "max_iterations": request.max_iterations,
        },
        title=request.title or None,
    )
