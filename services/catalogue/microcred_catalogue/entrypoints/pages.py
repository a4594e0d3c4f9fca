"""The catalogue's public pages: browse and search, an achievement, a pathway graph (the
provider dashboard is in dashboard_pages).

Server-rendered with jinja2, usable without JavaScript; the filters map onto the same
``SearchQuery`` the JSON search API builds.
"""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from microcred_shared.i18n import current_locale, pages_environment
from microcred_shared.pathways import RuleOutcome, evaluate

from ..domain.pathways import Pathway
from ..domain.search import SearchQuery, SortOrder
from ..service_layer.errors import NotFound
from ..service_layer.pathways import PathwayHandlers
from ..service_layer.queries import AchievementQueries
from .deps import Api, CatalogueApi
from .http_courses import decode_cursor, encode_cursor
from .page_texts import texts_in
from .schemas import AchievementPublic
from .svg import pathway_svg

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATES = pages_environment(TEMPLATE_DIR)
TEMPLATES.globals["texts_in_page_language"] = lambda a: texts_in(a, current_locale())
SVG_MEDIA = "image/svg+xml"
FILTER_CHOICES = {
    "provider_types": ["university", "vet", "private", "company"],
    "participation_forms": ["online", "onsite", "blended", "work_based", "volunteering"],
    "eqf_levels": list(range(1, 9)),
    "sorts": [(s.value, s.name.replace("_", " ").lower()) for s in SortOrder],
}


def render(template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(template).render(context))


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value and value.strip() else None
    except ValueError:
        return None


def search_query(
    form: dict[str, str],
    limit: int,
    cursor: str | None,
    endorsed: frozenset[str] | None = None,
) -> SearchQuery:
    """The browse form's fields (empty ones ignored) as the search API's query; ``endorsed``:
    the achievements the chosen endorser endorses (None: no endorser chosen)."""
    eqf = form.get("eqf", "")
    completeness = _number(form.get("min_completeness"))
    sort = form.get("sort") or SortOrder.NAME.value
    return SearchQuery(
        text=form.get("q") or None,
        provider_ids=tuple(p for p in [form.get("provider", "").strip()] if p),
        provider_types=tuple(t for t in [form.get("provider_type", "")] if t),
        countries=tuple(c.upper() for c in [form.get("country", "").strip()] if c),
        eqf_levels=(int(eqf),) if eqf.isdigit() and 1 <= int(eqf) <= 8 else (),
        isced_f=form.get("isced_f") if form.get("isced_f", "").isdigit() else None,
        ects_min=_number(form.get("ects_min")),
        ects_max=_number(form.get("ects_max")),
        participation_forms=tuple(p for p in [form.get("participation", "")] if p),
        languages=tuple(c.lower() for c in [form.get("language", "").strip()] if c),
        text_languages=tuple(c.lower() for c in [form.get("text_lang", "").strip()] if c),
        min_completeness=completeness / 100 if completeness is not None else None,
        achievement_ids=endorsed,
        sort=SortOrder(sort) if sort in SortOrder._value2member_map_ else SortOrder.NAME,
        limit=limit,
        after=decode_cursor(cursor) if cursor else None,
    )


async def names_of(queries: AchievementQueries, ids: list[str]) -> dict[str, str]:
    names = {}
    for achievement_id in ids:
        try:
            names[achievement_id] = (await queries.get(achievement_id)).definition.name
        except NotFound:
            continue
    return names


async def learner_outcome(
    pathways: PathwayHandlers, pathway: Pathway, held: list[str] | None
) -> RuleOutcome | None:
    """How far ``held`` goes towards the pathway (None: no learner given)."""
    if held is None:
        return None
    progress = await pathways.progress(held)
    found = next((p for p in progress if p.pathway.pathway_id == pathway.pathway_id), None)
    return found.outcome if found else evaluate(pathway.rule, {})


@dataclass(frozen=True)
class PathwayDrawing:
    pathway: Pathway
    svg: str
    outcome: RuleOutcome | None
    names: dict[str, str]


def held_ids(held: str | None) -> list[str] | None:
    if held is None:
        return None
    return [i.strip() for i in held.split(",") if i.strip()]


router = APIRouter(include_in_schema=False)


async def drawn(api: CatalogueApi, pathway_id: str, held: str | None) -> PathwayDrawing:
    pathway = await api.pathways.get(pathway_id)
    names = await names_of(api.queries, [pathway.target_achievement_id, *pathway.component_ids])
    outcome = await learner_outcome(api.pathways, pathway, held_ids(held))
    svg = pathway_svg(
        title=f"Pathway {pathway.name}",
        target_id=pathway.target_achievement_id,
        rule=pathway.rule,
        names=names,
        outcome=outcome,
    )
    return PathwayDrawing(pathway, svg, outcome, names)


@router.get("/", response_class=HTMLResponse)
async def browse(
    api: Api,
    q: str = "",
    provider: str = "",
    provider_type: str = "",
    country: str = "",
    eqf: str = "",
    isced_f: str = "",
    ects_min: str = "",
    ects_max: str = "",
    participation: str = "",
    language: str = "",
    text_lang: str = "",
    min_completeness: str = "",
    endorser: str = "",
    sort: str = "",
    cursor: str | None = None,
) -> HTMLResponse:
    form = {k: v for k, v in locals().items() if isinstance(v, str) and k != "cursor"}
    endorsed = api.endorsements.achievements_endorsed_by([endorser]) if endorser else None
    page = await api.queries.search(search_query(form, api.browse_page_size, cursor, endorsed))
    next_query = {k: v for k, v in form.items() if v}
    if page.next_after:
        next_query["cursor"] = encode_cursor(page.next_after)
    return render(
        "browse.html",
        form=form,
        choices=FILTER_CHOICES,
        endorsers=api.endorsements.endorsers(),
        items=page.items,
        next_query=next_query if page.next_after else None,
    )


@router.get("/achievements/{achievement_id}/page", response_class=HTMLResponse)
async def achievement_page(achievement_id: str, api: Api) -> HTMLResponse:
    achievement = AchievementPublic.of(await api.queries.get(achievement_id))
    edges = await api.pathways.graph(achievement_id)
    endorsements = api.endorsements.of_target("achievement", achievement_id)
    texts = texts_in(achievement, current_locale())
    return render(
        "achievement.html", a=achievement, t=texts, edges=edges, endorsements=endorsements
    )


@router.get("/pathways/{pathway_id}/graph.svg")
async def pathway_graph_svg(api: Api, pathway_id: str, held: str | None = None) -> Response:
    return Response((await drawn(api, pathway_id, held)).svg, media_type=SVG_MEDIA)


@router.get("/pathways/{pathway_id}/page", response_class=HTMLResponse)
async def pathway_page(api: Api, pathway_id: str, held: str | None = None) -> HTMLResponse:
    drawing = await drawn(api, pathway_id, held)
    return render(
        "pathway.html",
        p=drawing.pathway,
        svg=Markup(drawing.svg),  # noqa: S704 (built from escaped parts in svg.py)
        outcome=drawing.outcome,
        names=drawing.names,
        held=held,
    )
