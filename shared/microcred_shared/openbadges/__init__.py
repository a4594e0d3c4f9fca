"""Open Badges 3.0: the official 1EdTech JSON Schemas and a validator that reads documents the
way JSON-LD is written (a single value stands for a one-element array)."""

from microcred_shared.openbadges.clr import (
    CLR_CONTEXT,
    CLR_CREDENTIAL_SCHEMA,
    CLR_ISSUER_ID,
    CLR_ISSUER_NAME,
    CLR_SCHEMA_URL,
    validate_clr_credential,
)
from microcred_shared.openbadges.schema import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    ENDORSEMENT_CREDENTIAL_SCHEMA,
    PROFILE_SCHEMA,
    SchemaError,
    load_schema,
    normalise_for_schema,
    validate_achievement_credential,
    validate_against,
    validate_endorsement_credential,
)

__all__ = [
    "ACHIEVEMENT_CREDENTIAL_SCHEMA",
    "CLR_CONTEXT",
    "CLR_CREDENTIAL_SCHEMA",
    "CLR_ISSUER_ID",
    "CLR_ISSUER_NAME",
    "CLR_SCHEMA_URL",
    "ENDORSEMENT_CREDENTIAL_SCHEMA",
    "PROFILE_SCHEMA",
    "SchemaError",
    "load_schema",
    "normalise_for_schema",
    "validate_achievement_credential",
    "validate_against",
    "validate_clr_credential",
    "validate_endorsement_credential",
]
