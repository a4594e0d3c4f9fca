"""The employer's verify page: server-rendered, accessible, no build step."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse
from microcred_shared.i18n import pages_environment

from ..domain.documents import document_kind
from ..service_layer.intake import InputError, present_body
from ..service_layer.presentations import VerifyPresentation
from ..service_layer.verify import VerifyCredential
from .deps import Api, VerifierApi
from .http_presentations import presentation_report
from .http_verify import run, share_url
from .schemas import VerifyResponse

TEMPLATES = pages_environment(Path(__file__).parent / "templates")


def _render(status: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template("verify.html").render(
        {"report": None, "presentation": None, "error": None, **context}
    )
    return HTMLResponse(html, status_code=status)


router = APIRouter(include_in_schema=False)


async def verified_page(api: VerifierApi, command: VerifyCredential) -> HTMLResponse:
    if command.presented is not None and document_kind(command.presented) == "presentation":
        return await presentation_page(api, VerifyPresentation(command.presented.document, "page"))
    try:
        outcome = await run(api.verify, command)
    except InputError as refused:
        return _render(422, error=refused.reason)
    shared = share_url(api.base_url, outcome)
    report = VerifyResponse.of(outcome.report, shared).model_dump(mode="json")
    return _render(report=report, share_url=shared)


async def presentation_page(api: VerifierApi, command: VerifyPresentation) -> HTMLResponse:
    try:
        shaped = await presentation_report(api, command)
    except InputError as refused:
        return _render(422, error=refused.reason)
    return _render(presentation=shaped.model_dump(mode="json"))


@router.get("/", response_class=HTMLResponse)
async def page(api: Api, url: str | None = None) -> HTMLResponse:
    if not url:
        return _render()
    return await verified_page(api, VerifyCredential(url=url[:2048], channel="page"))


@router.post("/page/verify", response_class=HTMLResponse)
async def submit(
    api: Api,
    credential: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    recipient_email: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    email = recipient_email.strip() or None
    try:
        if file is not None and file.filename:
            presented = present_body(await file.read(), api.max_depth)
            command = VerifyCredential(presented, recipient_email=email, channel="page")
            return await verified_page(api, command)
        if credential.strip():
            presented = present_body(credential.encode(), api.max_depth)
            command = VerifyCredential(presented, recipient_email=email, channel="page")
            return await verified_page(api, command)
    except InputError as exc:
        return _render(422, error=str(exc))
    if url.strip():
        return await verified_page(
            api, VerifyCredential(url=url.strip(), recipient_email=email, channel="page")
        )
    return _render(422, error="paste a credential, upload a file, or give a link")
