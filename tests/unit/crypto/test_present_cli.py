"""``microcred present`` signs a presentation as its holder; ``microcred verify`` checks one
offline: the holder's proof, the challenge and domain expected, the holder as each credential's
subject, and each credential (so at best unknown offline, as for a credential)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from crypto_data import RICH, load
from microcred_shared.crypto import DidKeyResolver, verify_proofs
from typer.testing import CliRunner

from microcred.cli import app

runner = CliRunner()
CHALLENGE, DOMAIN = "c-123", "https://verifier.example"


def new_key(path: Path) -> Path:
    result = runner.invoke(app, ["keys", "new", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def did_of(key_file: Path) -> str:
    controller: str = load(key_file)["controller"]
    return controller


@pytest.fixture
def holder_key(tmp_path: Path) -> Path:
    return new_key(tmp_path / "holder.key.json")


def issued_to(subject: str, tmp_path: Path, name: str = "credential.json") -> Path:
    """A credential a did:key issuer signed for ``subject``, via ``microcred sign``."""
    issuer_key = new_key(tmp_path / f"issuer-{name}")
    credential = load(RICH)
    credential["issuer"]["id"] = did_of(issuer_key)
    credential["credentialSubject"]["id"] = subject
    unsigned = tmp_path / f"unsigned-{name}"
    unsigned.write_text(json.dumps(credential), "utf-8")
    signed = runner.invoke(app, ["sign", "--key", str(issuer_key), str(unsigned)])
    assert signed.exit_code == 0, signed.output
    path = tmp_path / name
    path.write_text(signed.stdout, "utf-8")
    return path


def present(key: Path, *files: Path, challenge: str = CHALLENGE) -> dict[str, Any]:
    result = runner.invoke(
        app,
        ["present", "--key", str(key), "--challenge", challenge, "--domain", DOMAIN]
        + [str(f) for f in files],
    )
    assert result.exit_code == 0, result.output
    presentation: dict[str, Any] = json.loads(result.stdout)
    return presentation


def verify(
    presentation: dict[str, Any], tmp_path: Path, *options: str
) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "presentation.json"
    path.write_text(json.dumps(presentation), "utf-8")
    result = runner.invoke(app, ["verify", "--json", *options, str(path)])
    outcome: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, outcome


def checks(outcome: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for c in outcome["holder_checks"]}


def test_present_signs_for_the_holder_with_challenge_and_domain(
    holder_key: Path, tmp_path: Path
) -> None:
    credential = issued_to(did_of(holder_key), tmp_path)
    presentation = present(holder_key, credential)

    assert presentation["type"] == ["VerifiablePresentation"]
    assert presentation["holder"] == did_of(holder_key)
    assert presentation["verifiableCredential"] == [load(credential)]
    proof = presentation["proof"]
    assert (proof["proofPurpose"], proof["challenge"], proof["domain"]) == (
        "authentication",
        CHALLENGE,
        DOMAIN,
    )
    assert verify_proofs(presentation, DidKeyResolver(), expected_purpose="authentication").verified


def test_verify_checks_a_presentation_offline_at_best_unknown(
    holder_key: Path, tmp_path: Path
) -> None:
    presentation = present(holder_key, issued_to(did_of(holder_key), tmp_path))

    code, outcome = verify(presentation, tmp_path, "--challenge", CHALLENGE, "--domain", DOMAIN)

    assert checks(outcome) == {
        "holder_proof": "passed",
        "challenge": "passed",
        "holder_is_subject": "passed",
    }
    # Offline, the credential's issuer cannot be confirmed as a recognised provider.
    assert outcome["credentials"][0]["verdict"] == "unknown"
    assert (outcome["verdict"], code) == ("unknown", 2)


def test_verify_without_the_expected_challenge_leaves_it_unchecked(
    holder_key: Path, tmp_path: Path
) -> None:
    code, outcome = verify(present(holder_key, issued_to(did_of(holder_key), tmp_path)), tmp_path)
    assert checks(outcome)["challenge"] == "skipped"
    assert (outcome["verdict"], code) == ("unknown", 2)


def test_verify_refuses_another_challenge_or_a_holder_who_is_not_the_subject(
    holder_key: Path, tmp_path: Path
) -> None:
    mine = issued_to(did_of(holder_key), tmp_path)
    theirs = issued_to("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", tmp_path, "b")

    code, replay = verify(
        present(holder_key, mine, challenge="old"),
        tmp_path,
        "--challenge",
        CHALLENGE,
        "--domain",
        DOMAIN,
    )
    assert checks(replay)["challenge"] == "failed"
    assert (replay["verdict"], code) == ("not_verified", 1)

    code, stolen = verify(present(holder_key, mine, theirs), tmp_path)
    assert checks(stolen)["holder_is_subject"] == "failed"
    assert (stolen["verdict"], code) == ("not_verified", 1)


def test_verify_prints_the_holder_checks_for_a_person(holder_key: Path, tmp_path: Path) -> None:
    presentation = present(holder_key, issued_to(did_of(holder_key), tmp_path))
    path = tmp_path / "presentation.json"
    path.write_text(json.dumps(presentation), "utf-8")
    result = runner.invoke(app, ["verify", str(path)])
    assert f"Holder: {did_of(holder_key)}" in result.stdout
    assert "✓ Holder's signature" in result.stdout
    assert "Credential 0: UNKNOWN" in result.stdout


def test_present_refuses_a_public_key(tmp_path: Path, holder_key: Path) -> None:
    public = tmp_path / "public.json"
    shown = runner.invoke(app, ["keys", "show", str(holder_key)])
    public.write_text(shown.stdout, "utf-8")
    result = runner.invoke(
        app,
        ["present", "--key", str(public), "--challenge", "c", "--domain", "d", str(holder_key)],
    )
    assert result.exit_code == 2
    assert "public key only" in result.output
