"""Cross-checks with an independent, widely used implementation: Digital Bazaar's
jsonld-signatures + data-integrity + eddsa-rdfc-2022 / eddsa-jcs-2022 cryptosuites (npm),
run offline by ``js/di.mjs`` over our bundled contexts.

Install the JS side with ``tests/interop/install.sh``. Without it these tests skip, unless
``MICROCRED_REQUIRE_INTEROP=1`` (CI) makes a missing stack a failure.
"""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from microcred_shared.crypto import Ed25519Multikey, canonicalize_rdfc, sign, verify_proofs
from typer.testing import CliRunner

from microcred.cli import app
from tests.interop.js_stack import JS, require_js_package, run_node

pytestmark = pytest.mark.interop

HERE = Path(__file__).resolve().parent
SCRIPT = JS / "di.mjs"
DATA = HERE.parent / "data"
RICH = DATA / "credentials" / "rich-openbadge.json"
W3C = DATA / "vectors" / "vc-di-eddsa"
ONEEDTECH = DATA / "vectors" / "1edtech-ob30"
SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022"]

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def js_stack() -> None:
    require_js_package("data-integrity")


def run_js(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_node(SCRIPT, *args)


def js_verify(*files: Path, keys: Path | None = None) -> list[dict[str, Any]]:
    extra = ["--keys", str(keys)] if keys else []
    result = run_js("verify", *extra, *files)
    assert result.returncode in (0, 1), result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")
    return path


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "issuer.json"
    result = runner.invoke(app, ["keys", "new", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def credential_file(tmp_path_factory: pytest.TempPathFactory, key_file: Path) -> Path:
    credential = json.loads(RICH.read_text("utf-8"))
    credential["issuer"]["id"] = json.loads(key_file.read_text())["controller"]
    return write(tmp_path_factory.mktemp("cred") / "credential.json", credential)


def tampered(signed: dict[str, Any]) -> dict[str, Any]:
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["result"][0]["value"] = "A"  # was "B"
    return forged


@pytest.mark.parametrize("suite", SUITES)
def test_our_signature_verifies_in_the_js_stack_and_tampering_fails_in_both(
    tmp_path: Path, key_file: Path, credential_file: Path, suite: str
) -> None:
    result = runner.invoke(
        app, ["sign", "--key", str(key_file), "--suite", suite, str(credential_file)]
    )
    assert result.exit_code == 0, result.output
    signed = json.loads(result.stdout)
    good = write(tmp_path / "ours.json", signed)
    bad = write(tmp_path / "ours-tampered.json", tampered(signed))
    js = js_verify(good, bad)
    assert js[0]["verified"], js[0]
    assert not js[1]["verified"]
    assert "Invalid signature" in " ".join(js[1]["errors"])
    ours = runner.invoke(app, ["verify", "--json", str(good), str(bad)])
    assert ours.exit_code == 1
    # Authentic or not; offline the verdict is at best unknown (no provider registry here).
    assert [json.loads(line)["authentic"] for line in ours.stdout.splitlines()] == [True, False]


@pytest.mark.parametrize("suite", SUITES)
def test_a_js_signature_verifies_in_ours_and_tampering_fails_in_both(
    tmp_path: Path, key_file: Path, credential_file: Path, suite: str
) -> None:
    result = run_js("sign", "--key", key_file, "--suite", suite, credential_file)
    assert result.returncode == 0, result.stderr
    signed = json.loads(result.stdout)
    assert signed["proof"]["cryptosuite"] == suite
    check = verify_proofs(signed)
    assert check.verified, check.reason
    assert check.controllers == {json.loads(key_file.read_text())["controller"]}
    good = write(tmp_path / "theirs.json", signed)
    bad = write(tmp_path / "theirs-tampered.json", tampered(signed))
    ours = runner.invoke(app, ["verify", "--json", str(good)])
    assert (ours.exit_code, json.loads(ours.stdout)["authentic"]) == (2, True)  # unknown offline
    assert runner.invoke(app, ["verify", str(bad)]).exit_code == 1
    assert [r["verified"] for r in js_verify(good, bad)] == [True, False]


def test_same_key_same_created_gives_the_same_proof_value(
    key_file: Path, credential_file: Path
) -> None:
    """Ed25519 is deterministic, so identical inputs must give byte-identical proofs."""
    for suite in SUITES:
        result = run_js(
            "sign",
            "--key",
            key_file,
            "--suite",
            suite,
            "--created",
            "2025-07-01T10:00:00Z",
            credential_file,
        )
        assert result.returncode == 0, result.stderr
        theirs = json.loads(result.stdout)
        key = Ed25519Multikey.from_document(json.loads(key_file.read_text()))
        ours = sign(
            json.loads(credential_file.read_text()),
            key,
            suite=suite,
            created=datetime.fromisoformat("2025-07-01T10:00:00Z"),
        )
        assert ours["proof"]["proofValue"] == theirs["proof"]["proofValue"]


def test_a_proof_set_we_sign_verifies_in_the_js_stack(
    tmp_path: Path, credential_file: Path
) -> None:
    credential = json.loads(credential_file.read_text())
    issuer = Ed25519Multikey.generate()
    endorser = Ed25519Multikey.generate()
    credential["issuer"]["id"] = issuer.controller
    signed = sign(sign(credential, issuer), endorser, suite="eddsa-jcs-2022")
    [result] = js_verify(write(tmp_path / "set.json", signed))
    assert result["verified"], result
    assert [p["verified"] for p in result["proofs"]] == [True, True]


def _canonical_cases(tmp_path: Path, credential_file: Path) -> list[Path]:
    weird = json.loads(credential_file.read_text())
    weird["name"] = 'tab\t nl\n cr\r quote" backslash\\ bs\b ff\f ctl\x01\x1f del\x7f é 😀 \u2028'
    cases = [
        credential_file,
        write(tmp_path / "weird.json", weird),
        W3C / "unsigned.json",
        W3C / "eddsa-rdfc-2022" / "employ" / "signedDataInt.json",
        ONEEDTECH / "complete.json",
        ONEEDTECH / "endorsement-valid.json",
        ONEEDTECH / "bit-string-list" / "credential-status-revoked-blank-nodes.json",
    ]
    out = []
    for i, path in enumerate(cases):
        document = json.loads(path.read_text("utf-8"))
        document.pop("proof", None)
        out.append(write(tmp_path / f"case-{i}.json", document))
    return out


def test_rdfc_canonical_forms_are_byte_identical_to_jsonld_js(
    tmp_path: Path, credential_file: Path
) -> None:
    for path in _canonical_cases(tmp_path, credential_file):
        result = run_js("canonize", path)
        assert result.returncode == 0, result.stderr
        ours = canonicalize_rdfc(json.loads(path.read_text("utf-8")))
        assert ours == result.stdout, path.name


def test_jsonld_js_safe_mode_refuses_what_ours_refuses(
    tmp_path: Path, credential_file: Path
) -> None:
    credential = json.loads(credential_file.read_text())
    credential["credentialSubject"]["achievement"]["ectsCredits"] = 5
    path = write(tmp_path / "unsafe.json", credential)
    result = run_js("canonize", path)
    assert result.returncode != 0
    assert "Safe mode" in result.stderr or "safe mode" in result.stderr.lower()


def test_w3c_vectors_and_1edtech_fixtures_verify_in_the_js_stack(tmp_path: Path) -> None:
    """Sanity check of the JS harness itself (offline loader, did:key, Multikey docs)."""
    keys = [
        {"id": vm, "controller": vm.split("#")[0], "publicKeyMultibase": mb}
        for vm, mb in json.loads((ONEEDTECH / "keys.json").read_text()).items()
    ]
    key_docs = write(tmp_path / "keys.json", keys)
    files = [
        W3C / "eddsa-rdfc-2022" / "signedDataInt.json",
        W3C / "eddsa-jcs-2022" / "signedJCS.json",
        W3C / "proof-set-chain" / "signedProofSet2.json",
        ONEEDTECH / "simple.json",
        ONEEDTECH / "complete.json",
    ]
    results = js_verify(*files, keys=key_docs)
    assert all(r["verified"] for r in results), results
