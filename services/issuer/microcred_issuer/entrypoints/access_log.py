"""The access log keeps no wallet link token: an opened link's URL carries one (a bearer
credential for the learner's list until it expires), and uvicorn logs every URL whole. Nor a
share link's token (``/shared/{token}``): whoever reads the log must not open what a learner
shared with someone else."""

from __future__ import annotations

import logging
import re

TOKEN_IN_QUERY = re.compile(r"(?<=[?&]token=)[^&\s\"]+")
SHARE_TOKEN_IN_PATH = re.compile(r"(?<=/shared/)[^/?#\s\"]+")
REDACTED = "[redacted]"


def redacted(text: str) -> str:
    return SHARE_TOKEN_IN_PATH.sub(REDACTED, TOKEN_IN_QUERY.sub(REDACTED, text))


class RedactLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redacted(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redacted(record.msg)
        return True


def redact_link_tokens_in_access_log() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactLinkTokens) for f in logger.filters):
        logger.addFilter(RedactLinkTokens())
