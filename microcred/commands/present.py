"""``microcred present``: sign a Verifiable Presentation of credential files as their holder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from microcred_shared.crypto import CryptoError
from microcred_shared.crypto.presentations import sign_presentation

from microcred.commands._io import fail_usage, read_json_or_fail
from microcred.commands.keys import load_key_or_fail
from microcred.commands.sign import Suite


def register(app: typer.Typer) -> None:
    app.command("present")(present_command)


def present_command(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE…", help="Signed credentials to present.", exists=True),
    ],
    key_file: Annotated[
        Path,
        typer.Option(
            "--key",
            help="The holder's Ed25519 secret key (a Multikey document, a JWK or a PKCS#8 PEM); "
            "the holder is its DID (its did:key unless the file names another).",
            exists=True,
        ),
    ],
    challenge: Annotated[
        str,
        typer.Option(help="The challenge the verifier issued (its /presentations/challenges)."),
    ],
    domain: Annotated[str, typer.Option(help="The verifier's domain, as it issued it.")],
    suite: Annotated[Suite, typer.Option(help="Data Integrity cryptosuite.")] = Suite.rdfc,
) -> None:
    """Print a presentation of the credentials, signed by the holder for this challenge."""
    key = load_key_or_fail(key_file)
    if not key.has_secret:
        fail_usage(f"key file {key_file} holds a public key only; cannot sign")
    credentials = [read_json_or_fail(path, "credential") for path in files]
    for path, credential in zip(files, credentials, strict=True):
        if not isinstance(credential, dict):
            fail_usage(f"{path} is not a JSON object (a credential)")
    try:
        presentation = sign_presentation(
            credentials, key, challenge=challenge, domain=domain, suite=suite.value
        )
    except CryptoError as exc:
        fail_usage(f"cannot sign the presentation: {exc}")
    typer.echo(json.dumps(presentation, indent=2, ensure_ascii=False))
