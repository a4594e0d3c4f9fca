"""The client side of importing a provider's own signing key into the issuer: ask for a
challenge, sign it here with the key file, send the key with the signature."""

from __future__ import annotations

import json
from typing import Any

import httpx
from microcred_shared.crypto import Ed25519Multikey, encode_base58btc


class ImportRefused(Exception):
    """The issuer answered with a problem; its words are the message."""


async def import_own_key(
    http: httpx.AsyncClient, provider_id: str, key_text: str, key: Ed25519Multikey
) -> dict[str, Any]:
    """The issuer's answer to the import of ``key`` (read from ``key_text``, sent as written)."""
    handed = await http.post(f"/providers/{provider_id}/keys/challenges")
    challenge = _json_or_refused(handed, "challenge")
    body = {
        "challenge": challenge["challenge"],
        "key": _as_sent(key_text),
        "signature": encode_base58btc(key.sign(str(challenge["message"]).encode())),
    }
    return _json_or_refused(await http.post(f"/providers/{provider_id}/keys/import", json=body))


def _as_sent(key_text: str) -> Any:
    """A JSON key (Multikey, JWK) as an object, a PEM as its text."""
    try:
        return json.loads(key_text)
    except json.JSONDecodeError:
        return key_text


def _json_or_refused(response: httpx.Response, step: str = "import") -> dict[str, Any]:
    if response.is_success:
        answer: dict[str, Any] = response.json()
        return answer
    try:
        problem = response.json()
        words = f"{problem.get('title')}: {problem.get('detail')}"
    except ValueError:
        words = response.text[:200]
    raise ImportRefused(f"the issuer refused the {step} ({response.status_code}) {words}")
