"""Development secrets for a local ecosystem: random, made once, kept beside the pid files.

The services accept placeholders in development, but a local run with real random secrets
behaves like production and the demo reads its admin tokens from here.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

SECRET_NAMES = (
    "CATALOGUE_ADMIN_TOKEN",
    "CATALOGUE_SESSION_KEY",
    "ISSUER_ADMIN_TOKEN",
    "ISSUER_KEY_ENCRYPTION_KEY",
    "ISSUER_LEARNER_SALT_KEY",
    "ISSUER_LEARNER_ACCESS_KEY",
    "NOTIFIER_ADMIN_TOKEN",
    "NOTIFIER_SECRET_ENCRYPTION_KEY",
)


def dev_secrets(run_dir: Path) -> dict[str, str]:
    path = run_dir / "dev-secrets.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text())
        if set(SECRET_NAMES) <= set(stored):
            return stored
    run_dir.mkdir(parents=True, exist_ok=True)
    values = {name: secrets.token_urlsafe(32) for name in SECRET_NAMES}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle)
    return values
