"""Every failure to read or check what a client sent is refused input, never a server error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from microcred_shared.logging import get_logger
from microcred_shared.service.http import Problem

from ..service_layer.intake import InputError

log = get_logger(__name__)


@contextmanager
def refused_if_unverifiable() -> Iterator[None]:
    """Every failure to read or check what was sent is refused input (a problem, by the
    service's refusal handler): malformed input is never a server error."""
    try:
        yield
    except (InputError, Problem):
        raise
    except RecursionError as exc:
        raise InputError("the document is nested too deeply") from exc
    except Exception as exc:
        log.exception("verification crashed on input")
        raise InputError("the document could not be processed") from exc
