"""Why a command was refused; each entrypoint translates these into its own language
(problem details over HTTP, a dead letter with ``code`` on Kafka)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class CommandRefused(Exception):
    code = "refused"

    def __init__(self, reason: str, errors: Sequence[Mapping[str, str]] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = [dict(error) for error in errors]


class NotFound(CommandRefused):
    code = "not_found"


class UnknownProvider(NotFound):
    code = "unknown_provider"


class UnknownCourse(NotFound):
    code = "unknown_course"


class Unauthorized(CommandRefused):
    code = "unauthorized"


class Forbidden(CommandRefused):
    code = "forbidden"


class Invalid(CommandRefused):
    code = "invalid"


class NotNormalisable(Invalid):
    code = "not_normalisable"


class Conflict(CommandRefused):
    code = "conflict"


class Unavailable(CommandRefused):
    """Something the command needs is not configured or not reachable; retry may help."""

    code = "unavailable"
