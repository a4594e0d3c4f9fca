"""Presentations across implementations: one Digital Bazaar's ``@digitalbazaar/vc`` signs
(``signPresentation``, over a challenge our verifier issued) verifies in our verifier, and one
``microcred present`` signs verifies in theirs (``vc.verify`` with the challenge and domain),
and neither verifies with another challenge or a tampered credential."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from microcred.cli import app
from tests.interop.js_stack import JS, require_js_package, run_node
from tests.unit.verifier.presentation_world import HOLDER, credential, verifier

pytestmark = pytest.mark.interop

SCRIPT = JS / "vp.mjs"
RICH = Path(__file__).resolve().parent.parent / "data" / "credentials" / "rich-openbadge.json"
CHALLENGE, DOMAIN = "interop-challenge-1", "https://verifier.example"

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def js_stack() -> None:
    require_js_package("vc")


def run_js(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_node(SCRIPT, *args)


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")
    return path


def holder_key_file(tmp_path: Path) -> Path:
    """The unit tests' holder, as the Multikey file both stacks read."""
    return write(tmp_path / "holder.json", HOLDER.to_document(include_secret=True))


def their_presentation(tmp_path: Path, challenge: str, domain: str) -> dict[str, Any]:
    held = write(tmp_path / "credential.json", credential())
    signed = run_js(
        "present",
        "--key",
        holder_key_file(tmp_path),
        "--challenge",
        challenge,
        "--domain",
        domain,
        held,
    )
    assert signed.returncode == 0, signed.stderr
    presentation: dict[str, Any] = json.loads(signed.stdout)
    return presentation


def their_verdict(presentation: Path, challenge: str = CHALLENGE) -> dict[str, Any]:
    result = run_js("verify", "--challenge", challenge, "--domain", DOMAIN, presentation)
    assert result.returncode in (0, 1), result.stderr
    outcome: dict[str, Any] = json.loads(result.stdout)
    return outcome


async def test_a_presentation_digital_bazaar_signs_verifies_in_our_verifier(
    tmp_path: Path,
) -> None:
    async with verifier() as client:
        issued = (await client.post("/presentations/challenges")).json()
        presentation = their_presentation(tmp_path, issued["challenge"], issued["domain"])
        assert presentation["proof"]["proofPurpose"] == "authentication"
        report = (await client.post("/verify", json=presentation)).json()
        replayed = (await client.post("/verify", json=presentation)).json()
    assert report["verdict"] == "verified", report
    assert [c["status"] for c in report["holder_checks"]] == ["passed"] * 3
    assert replayed["verdict"] == "not_verified"


def test_a_presentation_microcred_present_signs_verifies_in_digital_bazaars_stack(
    tmp_path: Path,
) -> None:
    held = write(tmp_path / "credential.json", credential())
    made = runner.invoke(
        app,
        [
            "present",
            "--key",
            str(holder_key_file(tmp_path)),
            "--challenge",
            CHALLENGE,
            "--domain",
            DOMAIN,
            str(held),
        ],
    )
    assert made.exit_code == 0, made.output
    ours = write(tmp_path / "presentation.json", json.loads(made.stdout))

    outcome = their_verdict(ours)
    assert outcome["verified"] is True, outcome
    assert outcome["credentials"] == [{"verified": True, "errors": []}]

    other_challenge = their_verdict(ours, challenge="another-challenge")
    assert other_challenge["verified"] is False
    assert "challenge" in " ".join(other_challenge["errors"])

    tampered = json.loads(ours.read_text("utf-8"))
    tampered["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Forged"
    forged = their_verdict(write(tmp_path / "tampered.json", tampered))
    assert forged["verified"] is False
    assert forged["credentials"][0]["verified"] is False
