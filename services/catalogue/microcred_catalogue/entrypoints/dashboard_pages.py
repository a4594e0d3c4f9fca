"""The provider dashboard page and its sign-in: a provider's API key (or the admin token) given
on the form opens a short-lived session cookie; the dashboard answers only that provider and
the admin (401 with the form for anyone else not signed in, 403 for another provider)."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from ..service_layer.errors import Forbidden
from .deps import Api, MaybeViewer, bearer_viewer
from .pages import TEMPLATES
from .sessions import clear_session_cookie, set_session_cookie
from .svg import bar_chart_svg

# A provider's own figures: kept by no cache, and only for a same-site page.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "same-origin"}


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(context)
    return HTMLResponse(html, status_code=status, headers=PRIVATE)


def sign_in_page(status: int, provider_id: str = "", refused: bool = False) -> HTMLResponse:
    """The sign-in form; ``refused``: the key given was not valid (the page says so)."""
    return page("sign_in.html", status=status, provider_id=provider_id, refused=refused)


router = APIRouter(include_in_schema=False)


@router.get("/providers/{provider_id}/dashboard", response_class=HTMLResponse)
async def dashboard(provider_id: str, viewer: MaybeViewer, api: Api) -> HTMLResponse:
    if viewer is None:
        return sign_in_page(401, provider_id)
    try:  # an unknown provider: 404, as problem details (the service's refusal handler)
        shown = await api.figures.dashboard(viewer, provider_id)
    except Forbidden:
        return page("forbidden.html", status=403, provider_id=provider_id)
    chart = bar_chart_svg(
        f"Employer verifications per month: {shown.provider.name}",
        shown.verifications_per_month,
    )
    return page(
        "dashboard.html",
        provider=shown.provider,
        achievements=shown.achievements,
        issuance=shown.issuance,
        bars=shown.verifications_per_month,
        chart=Markup(chart),  # noqa: S704 (built from escaped parts in svg.py)
        endorsements=api.endorsements.of_provider(provider_id),
    )


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_form(provider: str = "") -> HTMLResponse:
    return sign_in_page(200, provider)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    api: Api,
    api_key: Annotated[str, Form(max_length=500)] = "",
    provider: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    viewer = await bearer_viewer(api, api_key.strip()) if api_key else None
    if viewer is None:
        return sign_in_page(401, provider, refused=True)
    target = viewer.provider_id or provider
    location = f"/providers/{quote(target, safe='')}/dashboard" if target else "/"
    response = RedirectResponse(location, status_code=303, headers=PRIVATE)
    token = await api.sessions.start(viewer, api_key.strip())
    set_session_cookie(response, request, token, api.sessions.lifetime_seconds)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303, headers=PRIVATE)
    clear_session_cookie(response, request)
    return response
