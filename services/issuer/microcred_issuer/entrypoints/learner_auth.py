"""Who the learner is, from their wallet token: a bearer token or the wallet session cookie."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from microcred_shared.access_tokens import Minted
from microcred_shared.logging import get_logger
from microcred_shared.service.http import Problem

from ..service_layer.commands import RequestAccessLink
from ..service_layer.learner_access import LearnerAccess
from .deps import IssuerHandlers, issuer_api

# HttpOnly (no script reads it), SameSite=Strict (no other site's request carries it), and
# Secure whenever the pages are served over https.
SESSION_COOKIE = "microcred_wallet"

log = get_logger(__name__)

wallet_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="LearnerToken",
    description="the token of a wallet link e-mailed to the learner, or of their wallet session",
)


def learner_access(handlers: IssuerHandlers) -> LearnerAccess:
    return handlers.learner_access


Access = Annotated[LearnerAccess, Depends(learner_access)]


def session_learner(request: Request, access: Access) -> str | None:
    """The learner of the wallet session cookie, if it is genuine and current."""
    token = request.cookies.get(SESSION_COOKIE)
    return access.learner_of(token, sessions_only=True) if token else None


def current_learner(
    request: Request,
    access: Access,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(wallet_bearer)],
) -> str:
    """The learner a bearer token (link or session) or the session cookie names; 401 else."""
    if credentials is not None:
        learner_ref = access.learner_of(credentials.credentials)
    else:
        learner_ref = session_learner(request, access)
    if learner_ref is None:
        raise Problem(
            401,
            "Unauthorized",
            "open the link e-mailed to you, or send its token as a bearer",
            headers={"WWW-Authenticate": 'Bearer realm="wallet"'},
        )
    return learner_ref


CurrentLearner = Annotated[str, Depends(current_learner)]


def start_session(response: Response, request: Request, session: Minted, lifetime: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=lifetime,
        path="/",
        httponly=True,
        samesite="strict",
        secure=served_over_https(request),
    )


def end_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=served_over_https(request),
    )


def served_over_https(request: Request) -> bool:
    """Over https here, or behind a proxy that ends TLS for the https pages URL."""
    pages_url = issuer_api(request).handlers.urls.pages_url
    return request.url.scheme == "https" or pages_url.startswith("https://")


def ask_for_link(tasks: BackgroundTasks, access: LearnerAccess, email: str) -> None:
    """Look the address up and queue the e-mail after the answer is sent, so that how long the
    answer takes does not tell whether the address is known."""
    tasks.add_task(_request_link, access, RequestAccessLink(email))


async def _request_link(access: LearnerAccess, command: RequestAccessLink) -> None:
    try:
        await access.request_link(command)
    except Exception as error:  # the answer is sent: log (without the address) and move on
        log.error("wallet link not queued", error=type(error).__name__)
