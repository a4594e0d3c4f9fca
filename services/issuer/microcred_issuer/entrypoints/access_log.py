"""The access log keeps no wallet link token: an opened link's URL carries one (a bearer
credential for the learner's list until it expires), and uvicorn logs every URL whole."""

from __future__ import annotations

import logging
import re

TOKEN_IN_QUERY = re.compile(r"(?<=[?&]token=)[^&\s\"]+")
REDACTED = "[redacted]"


class RedactLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN_IN_QUERY.sub(REDACTED, arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = TOKEN_IN_QUERY.sub(REDACTED, record.msg)
        return True


def redact_link_tokens_in_access_log() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactLinkTokens) for f in logger.filters):
        logger.addFilter(RedactLinkTokens())
