"""The endorsements a credential embeds, as its page lists them: endorser, comment, date, and
the status from the issuer's own records (a withdrawn one says so; one the issuer holds no
record of is shown as unconfirmed, never as active)."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..service_layer.handlers import Handlers


def embedded(document: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(what is endorsed: "achievement" or "issuer", the endorsement), the achievement's first;
    the page says what is endorsed in its own language."""
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    issuer = document.get("issuer")
    found: list[tuple[str, Mapping[str, Any]]] = []
    for about, holder in (("achievement", achievement), ("issuer", issuer)):
        if isinstance(holder, Mapping):
            items = holder.get("endorsement") or []
            found += [(about, item) for item in items if isinstance(item, Mapping)]
    return found


async def endorsement_views(
    handlers: Handlers, document: Mapping[str, Any]
) -> list[dict[str, Any]]:
    views = []
    for about, endorsement in embedded(document):
        url = endorsement.get("id")
        endorsement_id = url.rsplit("/", 1)[-1] if isinstance(url, str) else ""
        ours = url == handlers.urls.endorsement(endorsement_id)
        record = await handlers.endorsements.get(endorsement_id) if ours else None
        issuer = endorsement.get("issuer")
        subject = endorsement.get("credentialSubject")
        views.append(
            {
                "about": about,
                "endorser": issuer.get("name") if isinstance(issuer, Mapping) else None,
                "comment": subject.get("endorsementComment")
                if isinstance(subject, Mapping)
                else None,
                "date": _day(endorsement.get("validFrom")),
                "status": record.status if record else "unconfirmed",
                "url": url,
            }
        )
    return views


def _day(valid_from: Any) -> date | None:
    """The day an endorsement was made, for the page to write in its language (None if absent
    or unreadable: a credential from elsewhere may carry anything)."""
    try:
        return date.fromisoformat(str(valid_from)[:10])
    except ValueError:
        return None
