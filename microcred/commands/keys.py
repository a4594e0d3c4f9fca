"""``microcred keys …``: Ed25519 key pairs (Multikey, JWK and PEM files)."""

from __future__ import annotations

import asyncio
import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import httpx
import typer
from microcred_shared.crypto import (
    CryptoError,
    Ed25519Multikey,
    public_key_jwk,
    read_ed25519_key,
)

from microcred.commands._io import fail_usage
from microcred.commands.key_import import ImportRefused, import_own_key

keys_app = typer.Typer(help="Create and inspect Ed25519 key pairs.", no_args_is_help=True)


class PublicKeyFormat(StrEnum):
    multikey = "multikey"
    jwk = "jwk"


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


@keys_app.command("new")
def new_key(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the key here (mode 0600) instead of stdout."),
    ] = None,
    controller: Annotated[
        str | None,
        typer.Option(help="Controller DID (e.g. a did:web); default: the key's own did:key."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite --out if it exists.")] = False,
) -> None:
    """Generate an Ed25519 key pair as a Multikey document (with its secret key)."""
    key = Ed25519Multikey.generate(controller=controller)
    text = json.dumps(key.to_document(include_secret=True), indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    write_secret_file(out, text, force=force)
    typer.echo(f"wrote {key.id} to {out}", err=True)


@keys_app.command("import")
def import_key(
    key_file: Annotated[
        Path,
        typer.Argument(
            metavar="KEY",
            help="Ed25519 secret key: Multikey document, JWK or PKCS#8 PEM.",
            exists=True,
        ),
    ],
    provider: Annotated[str, typer.Option(help="Your provider id.")],
    issuer_url: Annotated[
        str, typer.Option(envvar="MICROCRED_ISSUER_URL", help="The issuer's base URL.")
    ],
    api_key: Annotated[str, typer.Option(envvar="MICROCRED_API_KEY", help="Your issuer API key.")],
) -> None:
    """Make this key your signing key at the issuer: it signs the issuer's challenge here, to
    prove you hold it, and is sent with that signature."""
    key = load_key_or_fail(key_file)
    if not key.has_secret:
        fail_usage(f"key file {key_file} holds a public key only; import the secret key")
    text = key_file.read_text("utf-8")

    async def send() -> dict[str, object]:
        headers = {"authorization": f"Bearer {api_key}"}
        async with httpx.AsyncClient(base_url=issuer_url, headers=headers, timeout=30) as http:
            return await import_own_key(http, provider, text, key)

    try:
        answer = asyncio.run(send())
    except ImportRefused as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1) from exc
    except httpx.HTTPError as exc:
        typer.echo(f"Error: cannot reach the issuer at {issuer_url}: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(answer, indent=2))


@keys_app.command("show")
def show_key(
    key_file: Annotated[
        Path,
        typer.Argument(
            metavar="KEY",
            help="Ed25519 key: a Multikey document, a JWK or a PEM (private or public).",
            exists=True,
        ),
    ],
    output_format: Annotated[
        PublicKeyFormat, typer.Option("--format", help="How to print the public key.")
    ] = PublicKeyFormat.multikey,
    verification_method: Annotated[
        str | None,
        typer.Option(help="The key's verification method id, for a file that names none."),
    ] = None,
) -> None:
    """Print a key's public half (never its secret) as a Multikey document or a JWK."""
    key = load_key_or_fail(key_file, key_id=verification_method)
    public = (
        public_key_jwk(key)
        if output_format is PublicKeyFormat.jwk
        else key.public_only().to_document()
    )
    typer.echo(json.dumps(public, indent=2))


def load_key_or_fail(path: Path, *, key_id: str | None = None) -> Ed25519Multikey:
    """Read a key file in any form ``read_ed25519_key`` takes, or fail with a usage error."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail_usage(f"cannot read key file {path}: {exc}")
    try:
        return read_ed25519_key(text, key_id=key_id)
    except CryptoError as exc:
        fail_usage(f"key file {path}: {exc}")


def write_secret_file(path: Path, text: str, *, force: bool = False) -> None:
    """Create ``path`` readable by its owner only; the mode is set at creation, so the secret
    is never on disk with wider permissions, even for an instant."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        fail_usage(f"{path} exists; pass --force to overwrite it")
    except OSError as exc:
        fail_usage(f"cannot write {path}: {exc.strerror or exc}")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an existing file (--force) keeps no wider mode
        handle.write(text)
