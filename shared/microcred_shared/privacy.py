"""Recognising learners' personal data in free text: refused where it would be published,
redacted where it would be logged.

Personal data enters with a completion and leaves only to the learner. Fields meant for it
(``learner.email``, ``learner.name``) are routed by contract; this is for text that was never
meant to carry it: a provider's result or evidence text, a revocation reason, an exception
message about to be logged.
"""

from __future__ import annotations

import re

# Also percent-encoded, as it would appear in a URL: "ada%40learners.example".
EMAIL_ADDRESS = re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
REDACTED_EMAIL = "[e-mail address]"
_SPACES = re.compile(r"\s+")


def carries_email_address(text: str) -> bool:
    return EMAIL_ADDRESS.search(text) is not None


def redact_email_addresses(text: str) -> str:
    return EMAIL_ADDRESS.sub(REDACTED_EMAIL, text)


def names_person(text: str, name: str | None) -> bool:
    """True when ``text`` contains the person's full ``name`` as words (any case, any spacing).

    A one-word name is never matched: "Max" would find "max torque", so only names of two or
    more words are recognised.
    """
    words = _SPACES.split(name.strip()) if name else []
    if len(words) < 2:
        return False
    pattern = r"\b" + r"\s+".join(re.escape(word) for word in words) + r"\b"
    return re.search(pattern, text, re.IGNORECASE) is not None
