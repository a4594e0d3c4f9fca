"""A Comprehensive Learner Record 2.0 ``ClrCredential``: the signed credentials a learner chose,
bundled unchanged, with the associations the pathways give them (a stacked credential's
achievement ``isParentOf`` each component's), issued by the ecosystem itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from microcred_shared.crypto.dates import format_datetime
from microcred_shared.openbadges import CLR_CONTEXT, CLR_ISSUER_NAME, CLR_SCHEMA_URL

from .credentials import OB_CONTEXT, VC_CONTEXT
from .records import IssuedCredential

# The OB extensions context defines 1EdTechJsonSchemaValidator2019 (credentialSchema's type), as
# in 1EdTech's own CLR 2.0 examples.
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_CONTEXTS = (VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT)
PARENT_OF = "isParentOf"


def achievement_of(credential: IssuedCredential) -> str:
    """The ``id`` of the Achievement inside the signed credential (what associations name)."""
    achievement_id: str = credential.document["credentialSubject"]["achievement"]["id"]
    return achievement_id


def associations(credentials: Sequence[IssuedCredential]) -> list[dict[str, Any]]:
    """``isParentOf`` from each stacked credential's achievement to each of its components'
    that the record also holds, in a stable order."""
    by_id = {c.credential_id: c for c in credentials}
    found: list[dict[str, Any]] = []
    for stacked in sorted(credentials, key=lambda c: c.credential_id):
        for component_id in sorted(stacked.component_credential_ids):
            component = by_id.get(component_id)
            if component is not None:
                found.append(
                    {
                        "type": "Association",
                        "associationType": PARENT_OF,
                        "sourceId": achievement_of(stacked),
                        "targetId": achievement_of(component),
                    }
                )
    return found


def build_clr(
    *,
    clr_id: str,
    issuer_did: str,
    credentials: Sequence[IssuedCredential],
    issued_at: datetime,
) -> dict[str, Any]:
    """The unsigned ClrCredential. The subject names the learner as the bundled credentials do
    (their salted identity hash), never by e-mail or name."""
    first_subject = credentials[0].document["credentialSubject"]
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "verifiableCredential": [c.document for c in credentials],
    }
    if first_subject.get("id"):
        subject["id"] = first_subject["id"]
    if first_subject.get("identifier"):
        subject["identifier"] = first_subject["identifier"]
    linked = associations(credentials)
    if linked:
        subject["association"] = linked
    return {
        "@context": list(CLR_CONTEXTS),
        "id": clr_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": "Comprehensive Learner Record",
        "description": f"{len(credentials)} micro-credential(s) chosen by their holder",
        "issuer": {"id": issuer_did, "type": ["Profile"], "name": CLR_ISSUER_NAME},
        "validFrom": format_datetime(issued_at),
        "credentialSubject": subject,
        "credentialSchema": [{"id": CLR_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
    }
