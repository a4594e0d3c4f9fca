"""The learner's public credential page: server-rendered, accessible, no build step.

What a learner shares: who issued what, the EU elements in plain words, the status from the
issuer's own records, a verify link, the JSON, an add-to-LinkedIn link and a QR code. The
learner's e-mail is never shown (the credential only holds its salted hash anyway).
"""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from microcred_shared.i18n import current_locale, pages_environment
from microcred_shared.service.http import Problem

from ..domain.records import IssuedCredential
from ..service_layer.handlers import Handlers
from .deps import Api, IssuerHandlers
from .endorsement_views import endorsement_views
from .page_texts import texts_in
from .translate import json_response

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATES = pages_environment(TEMPLATE_DIR)
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
JSON_MEDIA = ("application/json", "application/ld+json", "application/vc+ld+json")


def prefers_html(accept: str) -> bool:
    """True when the client ranks ``text/html`` above every JSON type (browsers do)."""
    ranked: dict[str, tuple[float, int]] = {}
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = next((_quality(p) for p in params if p.startswith("q=")), 1.0)
        ranked.setdefault(media.lower(), (quality, -position))
    html = ranked.get("text/html")
    if html is None or html[0] <= 0:
        return False
    return all(html > ranked[m] for m in JSON_MEDIA if m in ranked)


def _quality(param: str) -> float:
    try:
        return float(param[2:])
    except ValueError:
        return 0.0


def qr_svg(url: str) -> Markup:
    """The page URL as an inline SVG QR code (segno escapes what it writes)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, dark="#1a1a1a", light="#ffffff", title="QR code of this page")
    return Markup(svg)  # noqa: S704 (segno's own SVG output, the URL inside is XML-escaped)


def recipient_of(subject: dict[str, Any]) -> str | None:
    """The learner's name when the credential carries one; a DID; else None (the page says
    in its language that the identity is protected)."""
    name = subject.get("name")
    if isinstance(name, str) and name.strip():
        return name
    subject_id = subject.get("id")
    if isinstance(subject_id, str) and subject_id.startswith("did:"):
        return subject_id
    return None


def linkedin_url(view: dict[str, Any], credential: IssuedCredential, page_url: str) -> str:
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": view["achievement"].get("name") or credential.achievement_name,
        "organizationName": view["issuer"].get("name") or credential.provider_id,
        "issueYear": str(credential.issued_at.year),
        "issueMonth": str(credential.issued_at.month),
        "certUrl": page_url,
        "certId": credential.credential_id,
    }
    return f"{LINKEDIN_ADD}?{urlencode(query)}"


def credential_view(
    handlers: Handlers,
    credential: IssuedCredential,
    verifier_url: str,
    endorsements: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    document = credential.document
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    credential_url = handlers.urls.credential(credential.credential_id)
    page_url = handlers.urls.page(credential.credential_id)
    view: dict[str, Any] = {
        "credential": credential,
        "issuer": document.get("issuer") or {},
        "achievement": achievement,
        "recipient": recipient_of(subject),
        "results": subject.get("result") or [],
        "credential_url": credential_url,
        "page_url": page_url,
        "download_url": f"/credentials/{credential.credential_id}/download",
        "verify_url": f"{verifier_url.rstrip('/')}/?{urlencode({'url': credential_url})}",
        "qr_svg": qr_svg(page_url),
        "valid_from": document.get("validFrom"),
        "valid_until": document.get("validUntil"),
        "endorsements": endorsements or [],
        "t": texts_in(achievement, current_locale()),
    }
    view["linkedin_url"] = linkedin_url(view, credential, page_url)
    return view


async def render_credential_page(
    handlers: Handlers, credential: IssuedCredential, verifier_url: str
) -> HTMLResponse:
    endorsements = await endorsement_views(handlers, credential.document)
    html = TEMPLATES.get_template("credential.html").render(
        credential_view(handlers, credential, verifier_url, endorsements)
    )
    return HTMLResponse(
        html, headers={"Vary": "Accept, Accept-Language, Cookie", "Cache-Control": "no-cache"}
    )


router = APIRouter(include_in_schema=False)


async def found(handlers: Handlers, credential_id: str) -> IssuedCredential:
    credential = await handlers.queries.credential(credential_id)
    if credential is None:
        raise Problem(404, "Not found", f"no credential {credential_id!r}")
    return credential


@router.get("/credentials/{credential_id}/page", response_class=HTMLResponse)
async def credential_page(credential_id: str, api: Api) -> HTMLResponse:
    credential = await found(api.handlers, credential_id)
    return await render_credential_page(api.handlers, credential, api.verifier_url)


@router.get("/credentials/{credential_id}/download")
async def download(credential_id: str, handlers: IssuerHandlers) -> Response:
    credential = await found(handlers, credential_id)
    disposition = f'attachment; filename="{credential_id}.json"'
    return json_response(
        credential.document, "application/json", {"Content-Disposition": disposition}
    )
