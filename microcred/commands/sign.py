"""``microcred sign``: add a Data Integrity proof to a credential."""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from microcred_shared.crypto import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    CryptoError,
    sign,
)

from microcred.commands._io import fail_usage, read_json_or_fail
from microcred.commands.keys import load_key_or_fail


class Suite(StrEnum):
    rdfc = EDDSA_RDFC_2022
    jcs = EDDSA_JCS_2022


def register(app: typer.Typer) -> None:
    app.command("sign")(sign_command)


def issuer_id(credential: Mapping[str, Any]) -> str | None:
    """The credential's issuer: a string, or the ``id`` of an issuer object."""
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def sign_command(
    credential_file: Annotated[
        Path, typer.Argument(metavar="IN.json", help="Unsigned credential.", exists=True)
    ],
    key_file: Annotated[
        Path,
        typer.Option(
            "--key",
            help="Ed25519 secret key: a Multikey document, a JWK or a PKCS#8 PEM.",
            exists=True,
        ),
    ],
    suite: Annotated[Suite, typer.Option(help="Data Integrity cryptosuite.")] = Suite.rdfc,
    verification_method: Annotated[
        str | None,
        typer.Option(
            help="The key's verification method id (e.g. did:web:uni.example#key-1), for a key "
            "file that names none (a PEM, a JWK without a DID URL kid); default: its did:key."
        ),
    ] = None,
) -> None:
    """Sign a credential and print it, with its proof, to stdout."""
    key = load_key_or_fail(key_file, key_id=verification_method)
    if not key.has_secret:
        fail_usage(f"key file {key_file} holds a public key only; cannot sign")
    credential = read_json_or_fail(credential_file, "credential")
    if not isinstance(credential, dict):
        fail_usage(f"{credential_file} is not a JSON object")
    issuer = issuer_id(credential)
    # A proof by a key the issuer does not control would never verify as the issuer's credential:
    # refuse rather than emit something that looks signed.
    if issuer is None:
        fail_usage(f"{credential_file} has no issuer (a string or an object with an id)")
    if issuer != key.controller:
        fail_usage(
            f"issuer {issuer} is not the key's controller {key.controller}; refusing to sign"
        )
    try:
        signed = sign(credential, key, suite=suite.value)
    except CryptoError as exc:
        fail_usage(f"cannot sign {credential_file}: {exc}")
    typer.echo(json.dumps(signed, indent=2, ensure_ascii=False))
