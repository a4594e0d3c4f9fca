"""Deterministic ids: the same cause always names the same credential, so redelivered or
resubmitted completions find the credential already there (a unique ``_id``)."""

from __future__ import annotations

import uuid

# Fixed for ever: changing it would re-issue every credential under new ids.
_NAMESPACE = uuid.UUID("5b0c8f5e-3f7e-4a43-9a55-6d1f0c2a9e41")
_SEPARATOR = "\x1f"  # cannot occur in ids that arrive as JSON text from a form or CSV


def completion_credential_id(provider_id: str, completion_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, _SEPARATOR.join(("completion", provider_id, completion_id))))


def stacked_credential_id(pathway_id: str, learner_ref: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, _SEPARATOR.join(("pathway", pathway_id, learner_ref))))
