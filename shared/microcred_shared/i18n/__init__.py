"""The pages' language: negotiated once per request, used by every service's templates.

One implementation for the four services: :class:`LocaleMiddleware` picks the language (a
``?lang=`` switch, then the cookie the switch set, then ``Accept-Language``), and
:func:`pages_environment` gives a service's templates Jinja2's i18n extension bound to the
gettext catalogue of this package (``locales/<lang>/LC_MESSAGES/messages.po``, built with
Babel: ``make translations``), Babel's date and number formats, and the language switch.
"""

from __future__ import annotations

from microcred_shared.i18n.environment import pages_environment
from microcred_shared.i18n.negotiation import (
    DEFAULT_LOCALE,
    LOCALE_COOKIE,
    SUPPORTED_LOCALES,
    LocaleMiddleware,
    current_locale,
    negotiate,
    rendering_in,
)

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALE_COOKIE",
    "SUPPORTED_LOCALES",
    "LocaleMiddleware",
    "current_locale",
    "negotiate",
    "pages_environment",
    "rendering_in",
]
