"""The wallet's own actions: download a credential, share it through a link and withdraw the
link, bundle credentials into a CLR; and the page a share link opens.

Forms post with the wallet session cookie (SameSite=Strict: no other site's page can post
them), and answer with a redirect back to the wallet, so a reload does not post again.
"""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from ..domain.errors import ShareLinkNotFound, ShareLinkWithdrawn
from .deps import Api, IssuerHandlers
from .endorsement_views import endorsement_views
from .learner_auth import Access, session_learner
from .media import VC_MEDIA_TYPE
from .pages import TEMPLATES, credential_view
from .translate import json_response
from .wallet import PRIVATE, page
from .wallet_views import shared_url

router = APIRouter(include_in_schema=False)

BACK_TO_WALLET = "/wallet"


def back_to_wallet() -> Response:
    return RedirectResponse(BACK_TO_WALLET, status_code=303, headers=PRIVATE)


def attachment(document: Any, filename: str) -> Response:
    disposition = f'attachment; filename="{filename}"'
    return json_response(document, VC_MEDIA_TYPE, {"Content-Disposition": disposition, **PRIVATE})


@router.get("/wallet/credentials/{credential_id}/download")
async def download_mine(
    credential_id: str, request: Request, access: Access, handlers: IssuerHandlers
) -> Response:
    learner_ref = session_learner(request, access)
    if learner_ref is None:
        return page("wallet_sign_in.html", status=401)
    credential = await handlers.wallet.own_credential(learner_ref, credential_id)
    return attachment(credential.document, f"{credential_id}.jsonld")


@router.post("/wallet/share")
async def share(
    request: Request,
    access: Access,
    handlers: IssuerHandlers,
    credential_id: Annotated[str, Form(max_length=200)],
) -> Response:
    learner_ref = session_learner(request, access)
    if learner_ref is None:
        return page("wallet_sign_in.html", status=401)
    await handlers.wallet.share(learner_ref, credential_id)
    return back_to_wallet()


@router.post("/wallet/share-links/{share_id}/withdraw")
async def withdraw(
    share_id: str, request: Request, access: Access, handlers: IssuerHandlers
) -> Response:
    learner_ref = session_learner(request, access)
    if learner_ref is None:
        return page("wallet_sign_in.html", status=401)
    await handlers.wallet.withdraw(learner_ref, share_id)
    return back_to_wallet()


@router.post("/wallet/clr")
async def build_clr(
    request: Request,
    access: Access,
    handlers: IssuerHandlers,
    credential_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    learner_ref = session_learner(request, access)
    if learner_ref is None:
        return page("wallet_sign_in.html", status=401)
    document = await handlers.clr.issue(learner_ref, credential_ids or [])
    return attachment(document, "comprehensive-learner-record.jsonld")


@router.get("/shared/{share_id}", response_class=HTMLResponse)
async def shared_page(share_id: str, api: Api) -> HTMLResponse:
    """The credential a share link names, with its verification; 410 once withdrawn."""
    try:
        credential = await api.handlers.wallet.shared(share_id)
    except ShareLinkWithdrawn:
        return page("shared_withdrawn.html", status=410)
    except ShareLinkNotFound:
        return page("shared_withdrawn.html", status=404, unknown=True)
    endorsements = await endorsement_views(api.handlers, credential.document)
    view = credential_view(api.handlers, credential, api.verifier_url, endorsements)
    document_url = f"{shared_url(api.handlers, share_id)}/credential"
    view |= {
        "shared": True,
        "download_url": document_url,
        "verify_url": verify_link(api.verifier_url, document_url),
    }
    html = TEMPLATES.get_template("credential.html").render(view)
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})


@router.get("/shared/{share_id}/credential")
async def shared_document(share_id: str, handlers: IssuerHandlers) -> Response:
    """The shared credential itself (what the verify button hands the verifier); 410 once
    withdrawn."""
    credential = await handlers.wallet.shared(share_id)
    return json_response(credential.document, VC_MEDIA_TYPE, {"Cache-Control": "no-store"})


def verify_link(verifier_url: str, document_url: str) -> str:
    return f"{verifier_url.rstrip('/')}/?{urlencode({'url': document_url})}"
