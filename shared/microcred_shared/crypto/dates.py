"""XML Schema dateTime helpers for proofs and key documents."""

from __future__ import annotations

from datetime import UTC, datetime


def format_datetime(value: datetime) -> str:
    """UTC, whole seconds, ``Z`` suffix: the form VC/DI examples and implementations emit."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_datetime(value: str) -> datetime:
    """Parse an XML Schema dateTime; a value without a timezone is refused (ambiguous)."""
    if not isinstance(value, str):
        raise ValueError(f"not a dateTime string: {value!r}")
    parsed = datetime.fromisoformat(value.replace("z", "Z"))
    if parsed.tzinfo is None:
        raise ValueError(f"dateTime without a timezone: {value!r}")
    return parsed


def utc_now() -> datetime:
    return datetime.now(UTC)
