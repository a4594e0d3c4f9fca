"""A service's page templates with the interface in the request's language (Jinja2 i18n)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from microcred_shared.i18n.negotiation import (
    SUPPORTED_LOCALES,
    current_locale,
    current_page_request,
)

LOCALE_DIR = Path(__file__).parent / "locales"
SHARED_TEMPLATES = Path(__file__).parent / "templates"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français"}


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale`` (English is the source language: no catalogue)."""
    return Translations.load(str(LOCALE_DIR), [locale], domain="messages")


def _gettext(message: str) -> str:
    return str(translations(current_locale()).ugettext(message))


def _ngettext(singular: str, plural: str, count: int) -> str:
    return str(translations(current_locale()).ungettext(singular, plural, count))


def format_date(value: date | datetime | str | None, length: str = "long") -> str:
    """A date as the request's language writes it ("3 juin 2025", "3. Juni 2025")."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return str(babel_format_date(value, format=length, locale=current_locale()))


def format_datetime(value: datetime | None) -> str:
    """A moment as the request's language writes it, the day long and the time short
    ("June 3, 2025, 2:05 PM", "3. Juni 2025, 14:05"), joined by the language's own pattern."""
    if value is None:
        return ""
    locale = current_locale()
    day = babel_format_date(value, format="long", locale=locale)
    time = babel_format_time(value, format="short", locale=locale)
    pattern = str(Locale.parse(locale).datetime_formats["long"])
    return pattern.replace("'", "").replace("{1}", day).replace("{0}", time)


def format_number(value: float | int | None) -> str:
    """A number with the request's language's decimal sign ("2,5" in German and French)."""
    return "" if value is None else str(format_decimal(value, locale=current_locale()))


# Query parameters a switch link never repeats: a wallet link's token (or an OAuth code) in a
# link of the page would reach logs and Referer headers it was kept out of.
SECRET_PARAMETERS = frozenset({"token", "code", "state", "api_key", "access_token", "key"})


def switch_href(locale: str, keep: Iterable[str] = ()) -> str:
    """This page's URL with ``lang`` set to ``locale``: its other parameters kept, the secret ones
    only when the page names them in ``keep`` (the consent page's OAuth ``state``, which the
    client needs back and which its own URL already carries)."""
    kept = {name.lower() for name in keep}
    query = [
        (key, value)
        for key, value in current_page_request().query
        if key != "lang" and (key.lower() not in SECRET_PARAMETERS or key.lower() in kept)
    ]
    return "?" + urlencode([*query, ("lang", locale)])


def language_choices() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES]


def pages_environment(template_dir: Path) -> Environment:
    """The service's templates, then the shared partials (``_language_switch.html``)."""
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(template_dir), FileSystemLoader(SHARED_TEMPLATES)]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True
    )
    globals_: dict[str, Any] = {
        "locale": current_locale,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_number": format_number,
        "switch_href": switch_href,
        "language_choices": language_choices,
    }
    environment.globals.update(globals_)
    return environment
