"""The learner's wallet page: their credentials with status, opened by an e-mailed link.

The link's token is traded at ``/wallet/open`` for a session cookie, and the browser moves on
to ``/wallet``, so the token stays in no later URL, history entry or Referer. That page moves
on with a meta refresh rather than a redirect: a browser sends a SameSite=Strict cookie on a
redirect only when the navigation started on this site, and a link clicked in webmail did not.
"""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import EmailStr, TypeAdapter, ValidationError

from ..domain.records import IssuedCredential
from ..service_layer.urls import IssuerUrls
from .deps import IssuerHandlers
from .learner_auth import Access, ask_for_link, end_session, session_learner, start_session
from .pages import TEMPLATES
from .schemas import ACCESS_LINK_ACCEPTED
from .wallet_views import wallet_extras

router = APIRouter(include_in_schema=False)

# The wallet is one learner's: no cache keeps it, and no link out of it says where it came from.
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
EMAIL = TypeAdapter(EmailStr)
LINK_REFUSED = "This link has expired or is not valid. Ask for a new one below."


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(template).render(context)
    return HTMLResponse(html, status_code=status, headers=PRIVATE)


def wallet_row(urls: IssuerUrls, credential: IssuedCredential) -> dict[str, Any]:
    issuer = credential.document.get("issuer") or {}
    return {
        "credential_id": credential.credential_id,
        "name": credential.achievement_name,
        "page_url": urls.page(credential.credential_id),
        "issuer": issuer.get("name") or credential.provider_id,
        "issued_on": credential.issued_at,  # the page writes it in its language
        "stacked": credential.kind == "stacked",
        "ects": credential.ects,
        "eqf_level": credential.eqf_level,
        "status": credential.status,
        "status_reason": credential.status_reason,
    }


@router.get("/wallet", response_class=HTMLResponse)
async def wallet(request: Request, access: Access, handlers: IssuerHandlers) -> HTMLResponse:
    learner_ref = session_learner(request, access)
    if learner_ref is None:
        return page("wallet_sign_in.html", status=401)
    credentials = await access.credentials_of(learner_ref)
    rows = [wallet_row(handlers.urls, c) for c in credentials]
    return page(
        "wallet.html", credentials=rows, **await wallet_extras(handlers, learner_ref, credentials)
    )


@router.get("/wallet/open", response_class=HTMLResponse)
async def open_wallet(request: Request, access: Access, token: str = "") -> HTMLResponse:
    session = access.open_link(token)
    if session is None:
        return page("wallet_sign_in.html", status=401, problem=LINK_REFUSED)
    response = page("wallet_opening.html")
    start_session(response, request, session, int(access.session_lifetime.total_seconds()))
    return response


@router.post("/wallet/access-link", response_class=HTMLResponse)
async def ask_for_wallet_link(
    access: Access, tasks: BackgroundTasks, email: Annotated[str, Form(max_length=320)] = ""
) -> HTMLResponse:
    try:
        address = EMAIL.validate_python(email.strip())
    except ValidationError:
        return page("wallet_sign_in.html", status=422, problem="Enter a valid e-mail address.")
    ask_for_link(tasks, access, address)
    return page("wallet_sign_in.html", status=202, sent=ACCESS_LINK_ACCEPTED)


@router.post("/wallet/sign-out")
async def sign_out(request: Request) -> Response:
    response = RedirectResponse("/wallet", status_code=303, headers=PRIVATE)
    end_session(response, request)
    return response
