"""Which language a page is rendered in, decided once per request (an ASGI middleware)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from babel.core import negotiate_locale
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SUPPORTED_LOCALES = ("en", "de", "fr")
DEFAULT_LOCALE = "en"
LOCALE_COOKIE = "microcred_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class PageRequest:
    """What a template needs of the request: its language and query (for the switch's links)."""

    locale: str = DEFAULT_LOCALE
    query: tuple[tuple[str, str], ...] = ()


_PAGE_REQUEST: ContextVar[PageRequest | None] = ContextVar("page_request", default=None)
_OUTSIDE_A_REQUEST = PageRequest()


def current_locale() -> str:
    return current_page_request().locale


def current_page_request() -> PageRequest:
    return _PAGE_REQUEST.get() or _OUTSIDE_A_REQUEST


@contextmanager
def rendering_in(locale: str) -> Iterator[None]:
    """Render in ``locale`` outside a request (a template rendered directly, as a test does)."""
    token = _PAGE_REQUEST.set(PageRequest(locale))
    try:
        yield
    finally:
        _PAGE_REQUEST.reset(token)


def negotiate(switch: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The switch if supported, else the remembered choice, else the browser's best match."""
    for chosen in (switch, cookie):
        if chosen and chosen.lower() in SUPPORTED_LOCALES:
            return chosen.lower()
    preferred = _ranked(accept_language or "")
    return negotiate_locale(preferred, SUPPORTED_LOCALES, sep="-") or DEFAULT_LOCALE


def _ranked(accept_language: str) -> list[str]:
    """``Accept-Language`` (RFC 9110) as tags by decreasing weight, stable for equal ones."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    weight = float(param[2:])
                except ValueError:
                    weight = 0.0
        if tag and tag != "*" and weight > 0:
            weighted.append((-weight, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


class LocaleMiddleware:
    """Sets the request's language for the templates; a ``?lang=`` switch on an HTML page is
    remembered in a cookie (not on JSON answers, where ``lang`` may be a search filter)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = tuple(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        switch = next((value for key, value in query if key == "lang"), None)
        cookies = SimpleCookie(headers.get("cookie", ""))
        cookie = cookies[LOCALE_COOKIE].value if LOCALE_COOKIE in cookies else None
        locale = negotiate(switch, cookie, headers.get("accept-language"))
        token = _PAGE_REQUEST.set(PageRequest(locale, query))
        remember = switch is not None and switch.lower() == locale

        async def send_remembering(message: Message) -> None:
            if remember and message["type"] == "http.response.start" and _is_html(message):
                cookie_value = (
                    f"{LOCALE_COOKIE}={locale}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax"
                )
                message["headers"] = [
                    *message.get("headers", []),
                    (b"set-cookie", cookie_value.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_remembering)
        finally:
            _PAGE_REQUEST.reset(token)


def _is_html(message: Message) -> bool:
    for key, value in message.get("headers", []):
        if key.lower() == b"content-type":
            return bool(value.startswith(b"text/html"))
    return False
