"""Development secrets for a local ecosystem: random, made once, kept beside the pid files.

The services accept placeholders in development, but a local run with real random secrets
behaves like production and the demo reads its admin tokens from here.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

SECRET_NAMES = (
    "CATALOGUE_ADMIN_TOKEN",
    "CATALOGUE_SESSION_KEY",
    "ISSUER_ADMIN_TOKEN",
    "ISSUER_KEY_ENCRYPTION_KEY",
    "ISSUER_LEARNER_SALT_KEY",
    "ISSUER_CREDENTIAL_ID_KEY",
    "ISSUER_LEARNER_ACCESS_KEY",
    "NOTIFIER_ADMIN_TOKEN",
    "NOTIFIER_SECRET_ENCRYPTION_KEY",
)


def dev_secrets(run_dir: Path) -> dict[str, str]:
    path = run_dir / "dev-secrets.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if set(SECRET_NAMES) <= set(stored):
        return stored
    run_dir.mkdir(parents=True, exist_ok=True)
    # Only a missing secret is made: a new key-encryption key could not open the providers'
    # stored keys, a new credential-id key would re-issue every resubmitted completion.
    values = {name: stored.get(name) or secrets.token_urlsafe(32) for name in SECRET_NAMES}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values


def kafka_passwords(run_dir: Path, principals: Iterable[str]) -> dict[str, str]:
    """A Kafka password per service principal (and the registrar), made once per run dir."""
    path = run_dir / "kafka-secrets.json"
    wanted = list(principals)
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if not set(wanted) <= set(stored):
        stored |= {name: secrets.token_urlsafe(32) for name in wanted if name not in stored}
        run_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle)
    return {name: stored[name] for name in wanted}
