"""Mongo document shapes of the verifier's projections (one collection per projection)."""

from __future__ import annotations

PROVIDERS = "providers"
ACHIEVEMENTS = "achievements"
PATHWAYS = "pathways"
ISSUER_KEYS = "issuer_keys"
STATUSES = "credential_statuses"
STATUS_LISTS = "status_lists"
PROJECTION_STATE = "projection_state"
