"""Validate a Comprehensive Learner Record 2.0 ``ClrCredential`` against 1EdTech's schema.

The only copy of the ClrCredential schema to be had (``schemas/SOURCE.md``) is of the VC Data
Model 1.1 era: it names a credential's dates ``issuanceDate`` / ``expirationDate``, which VC 2.0
(and so OB 3.0 and the current CLR 2.0) names ``validFrom`` / ``validUntil``. We read the file
unchanged and rename exactly those two properties wherever the schema declares or requires them;
and its ``CredentialStatus`` is closed (``additionalProperties: false``), so no Bitstring Status
List entry (``statusPurpose``, ``statusListIndex``, ``statusListCredential``) could pass; the
current OB 3.0 schema, of the same generator, opens it. We make exactly those two changes;
everything else the schema says applies as written.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft201909Validator

from microcred_shared.openbadges.schema import (
    SchemaError,
    _format_checker,
    _to_schema_error,
    load_schema,
    normalise_for_schema,
)

CLR_CREDENTIAL_SCHEMA = "clr_v2p0_clrcredential_schema.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
# VC 1.1 name -> VC 2.0 name.
VC2_DATE_NAMES = {"issuanceDate": "validFrom", "expirationDate": "validUntil"}


def as_vc2(node: Any) -> Any:
    """A copy of a schema node with the VC 1.1 date properties renamed to their VC 2.0 names."""
    if isinstance(node, list):
        return [as_vc2(item) for item in node]
    if not isinstance(node, dict):
        return node
    renamed: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            renamed[key] = {VC2_DATE_NAMES.get(k, k): as_vc2(v) for k, v in value.items()}
        elif key == "required" and isinstance(value, list):
            renamed[key] = [VC2_DATE_NAMES.get(name, name) for name in value]
        else:
            renamed[key] = as_vc2(value)
    return renamed


def with_open_credential_status(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with ``$defs.CredentialStatus`` open to a status method's own properties, as
    the current OB 3.0 schema has it."""
    status = {**schema["$defs"]["CredentialStatus"], "additionalProperties": True}
    return {**schema, "$defs": {**schema["$defs"], "CredentialStatus": status}}


@cache
def clr_schema() -> dict[str, Any]:
    return with_open_credential_status(as_vc2(load_schema(CLR_CREDENTIAL_SCHEMA)))


@cache
def _validator() -> Draft201909Validator:
    return Draft201909Validator(clr_schema(), format_checker=_format_checker())


def validate_clr_credential(doc: Any) -> list[SchemaError]:
    """Violations of the CLR 2.0 ClrCredential schema (VC 2.0 dates), read as JSON-LD is
    written (a single value stands for a one-element array)."""
    normalised = normalise_for_schema(doc, clr_schema())
    errors = _validator().iter_errors(normalised)
    return sorted((_to_schema_error(e) for e in errors), key=lambda e: (e.path, e.message))


# The ecosystem issues CLRs under a keyring of its own, kept by the issuer beside the providers'
# (``did:web:<issuer host>:issuers:<this id>``) and announced on ``issuer.keys`` like theirs; a
# catalogue provider may not take this id.
CLR_ISSUER_ID = "microcred-platform"
CLR_ISSUER_NAME = "microcred ecosystem"
