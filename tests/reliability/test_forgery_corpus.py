"""Issue 8: the forgery corpus. Genuine credentials of every shape the issuer makes, each with
every single-field forgery we can name, all posted to the real verifier: every forgery must be
refused and every genuine credential verified; the attacker's own honestly signed credential is
unknown, never verified.

Shapes (each signed by the real issuer over HTTP, under both cryptosuites): a minimal completion
(e-mail learner, no results), a rich one (named learner, results, evidence), a completion for a
learner known by DID, and the stacked credential the issuer awards when that learner completes a
pathway. The issuer signs with one process-wide suite (``ISSUER_PROOF_SUITE``, default
``eddsa-rdfc-2022``): the ``eddsa-jcs-2022`` shapes come from a second issuer process started
for this test with the other suite, in the same database and consumer group (as a replica behind
a load balancer would be), stopped at the end.

Forgeries (see tests/reliability/mutations.py): every leaf changed (type-aware), every member
and array element removed, every array element duplicated, every member named twice in the JSON
text; the proof stripped, emptied, swapped with another genuine credential's, its signature
altered; the credential re-signed by an attacker who owns a key (under their own did:key, under
the issuer's verificationMethod, as the issuer themselves, as an extra proof; and every other
changed field re-signed, the two ways in turn); the issuer swapped for another provider's; the
@context reordered, cut, extended, or of another version. Each field is forged once per suite,
in the first shape that has it (see :class:`Corpus`).

A few changes cannot alter what a JSON-LD credential says (an IRI listed twice in a set, a
context that redefines nothing): see :func:`semantically_null`. They are posted too and reported
apart, never counted as accepted forgeries; everything else that verifies fails this test.
"""

from __future__ import annotations

import asyncio
import copy
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from microcred_shared.crypto import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    CanonicalizationError,
    Ed25519Multikey,
    create_proof,
    reference_rdfc,
)
from pymongo import MongoClient

from microcred.ecosystem import story
from stack import free_ports
from tests.reliability import mutations as m
from tests.reliability.conftest import Seeded
from tests.support import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.e2e, pytest.mark.timeout(600)]

ACCEPTED = frozenset({"verified", "verified_with_warnings"})
CONCURRENCY = 8
# The verifier limits each client to a burst of 30 requests (then 2/s): the corpus speaks from
# many loopback addresses, as many employers would, each staying within one burst.
REQUESTS_PER_ADDRESS = 25
# The mechatronics pathway (story.PATHWAYS[0]): the DID learner's KA-COBOT, and these.
COMPONENTS = ((story.COLLEGE, "VET-PLC"), (story.UNIVERSITY, "MECH-402"))


@dataclass(frozen=True)
class Issued:
    shape: str
    suite: str
    provider_id: str
    document: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.shape}/{self.suite}"


# --- the test ---------------------------------------------------------------------------------


async def test_every_single_field_forgery_is_refused_and_every_genuine_credential_verified(
    seeded: Seeded,
) -> None:
    started = time.monotonic()
    run = secrets.token_hex(4)
    attacker = Ed25519Multikey.generate()
    verifier = Verifier(seeded.url("verifier", "/verify"))
    try:
        async with httpx.AsyncClient(timeout=60) as http:
            issued = await issue_every_shape(http, seeded, run)
        issued_in = time.monotonic() - started
        genuine = {c.name: await verifier.until_accepted(c.document) for c in issued}
        corpus = Corpus(issued, attacker).mutations()
        corpus_started = time.monotonic()
        verdicts = await verifier.verdicts(corpus)
        corpus_elapsed = time.monotonic() - corpus_started
        genuine_after = {c.name: (await verifier.verdict(c.document)).outcome for c in issued}
        own = await verifier.report(self_made(issued[0], attacker))
    finally:
        await verifier.close()

    null: list[m.Mutation] = []
    accepted: list[str] = []
    errors: list[str] = []
    rejected: Counter[str] = Counter()
    for mutation, verdict in zip(corpus, verdicts, strict=True):
        # A credential that is well-formed JSON gets a verdict, whatever it says: refusing it
        # outright is for ambiguous JSON only (anything else is the verifier failing on it).
        ambiguous = mutation.raw is not None and verdict.detail.startswith("ambiguous JSON")
        if verdict.error or (verdict.outcome.startswith("refused") and not ambiguous):
            errors.append(f"{mutation.label}: {verdict.outcome} {verdict.detail}")
        if verdict.outcome not in ACCEPTED:
            rejected[verdict.rejected_by] += 1
        elif mutation.may_be_null and semantically_null(original(mutation, issued), mutation):
            null.append(mutation)
        else:
            accepted.append(f"{mutation.label}: {verdict.outcome}")
    verified = sum(1 for outcome in genuine_after.values() if outcome in ACCEPTED)
    print(
        f"\nforgery corpus: shapes={len(issued)} mutations={len(corpus) - len(null)} "
        f"rejected={sum(rejected.values())} accepted={len(accepted)} "
        f"semantically_null={len(null)} genuine_verified={verified}/{len(issued)} "
        f"elapsed={time.monotonic() - started:.0f}s (issuing {issued_in:.0f}s, "
        f"corpus {corpus_elapsed:.0f}s, {len(corpus) / corpus_elapsed:.0f} verifications/s)"
    )
    print(f"  per shape: {dict(Counter(mutation.shape for mutation in corpus))}")
    print(f"  per kind: {dict(sorted(Counter(mutation.kind for mutation in corpus).items()))}")
    print(f"  refused first by: {dict(rejected.most_common())}")
    nulls = Counter(f"{n.kind} {n.where}" for n in null)
    print(f"  semantically null (same RDF dataset, not counted): {dict(sorted(nulls.items()))}")
    print(f"  genuine: {genuine} before the corpus, {genuine_after} after")
    assert accepted == [], "\n".join(accepted[:50])
    assert errors == [], "\n".join(errors[:50])
    assert verified == len(issued) == 2 * 4, genuine_after
    # The attacker's own credential, honestly signed by a did:key made for the occasion:
    # authentic, and no more than that (issue 13).
    assert (own["verdict"], own["headline"]) == (
        "unknown",
        "Authentic signature, but this issuer is not a recognised provider.",
    )


# --- issuing real credentials -----------------------------------------------------------------


async def issue_every_shape(http: httpx.AsyncClient, seeded: Seeded, run: str) -> list[Issued]:
    """The three completion shapes and a stacked credential, under each suite."""
    pathway_id = f"forgery-{run}"
    mechatronics = story.PATHWAYS[0]
    created = await seeded.put_pathway(
        http, pathway_id, {**mechatronics["body"], "owner_provider_id": mechatronics["owner"]}
    )
    assert created.status_code in (200, 201), created.text
    issued = await issue_shapes(http, seeded, seeded.url("issuer"), run, EDDSA_RDFC_2022)
    replica = await asyncio.to_thread(start_issuer_signing_with, seeded, EDDSA_JCS_2022)
    try:
        port = int(replica.rsplit("@", 1)[1])
        jcs_issuer = f"http://127.0.0.1:{port}"
        issued += await issue_shapes(http, seeded, jcs_issuer, run, EDDSA_JCS_2022)
    finally:
        await asyncio.to_thread(seeded.ecosystem.stop_one, replica)
    return issued


def start_issuer_signing_with(seeded: Seeded, suite: str) -> str:
    """One more issuer process (same database, keys and consumer group) signing with ``suite``."""
    ecosystem = seeded.ecosystem
    configured = ecosystem.extra_env
    ecosystem.extra_env = {**configured, "ISSUER_PROOF_SUITE": suite}
    try:
        return ecosystem.start_replica("issuer", free_ports(1)[0], timeout=120)
    finally:
        ecosystem.extra_env = configured  # read only when a process is spawned


async def issue_shapes(
    http: httpx.AsyncClient, seeded: Seeded, issuer: str, run: str, suite: str
) -> list[Issued]:
    tag = f"forgery/{run}/{suite}"
    learner_did = Ed25519Multikey.generate().controller

    async def complete(
        provider_id: str, code: str, completion: str, learner: dict[str, str], **extra: Any
    ) -> dict[str, Any]:
        response = await http.post(
            f"{issuer}/completions",
            json={
                "completion_id": f"{tag}/{completion}",
                "achievement_id": story.achievement(provider_id, code),
                "learner": learner,
                "completed_on": "2026-06-30",
                **extra,
            },
            headers={"Authorization": f"Bearer {seeded.issuer_keys[provider_id]}"},
        )
        assert response.status_code == 201, response.text
        return await credential(http, seeded, response.json()["credential_id"])

    def email(who: str) -> str:
        return f"{who}-{run}-{suite}@learners.example"

    async def shape(
        name: str, provider_id: str, code: str, learner: dict[str, str], **extra: Any
    ) -> Issued:
        document = await complete(provider_id, code, name, learner, **extra)
        return Issued(name, suite, provider_id, document)

    shapes = [
        await shape("minimal", story.UNIVERSITY, "ROB-610", {"email": email("minimal")}),
        await shape(
            "rich",
            story.UNIVERSITY,
            "MECH-402",
            {"email": email("rich"), "name": "Ada Brennan-Forgery"},
            results=[
                {"name": "Final grade", "value": "1"},
                {"name": "Lab work", "value": "passed"},
            ],
            evidence=[
                {
                    "url": "https://hollin-tu.example/portfolio/ada/mech-402",
                    "name": "Control loop project",
                    "narrative": "A PID-controlled conveyor, demonstrated on target hardware.",
                }
            ],
        ),
        await shape(
            "did-learner",
            story.PARTNER,
            "KA-COBOT",
            {"did": learner_did, "name": "Bo Lindqvist-Forgery"},
        ),
    ]
    for provider_id, code in COMPONENTS:
        await complete(provider_id, code, f"component-{code}", {"did": learner_did})
    stacked = await eventually(
        lambda: stacked_credential(http, seeded, learner_did, suite), timeout=120, interval=0.5
    )
    assert stacked is not None
    shapes.append(Issued("stacked", suite, str(story.PATHWAYS[0]["owner"]), stacked))
    for issued in shapes:
        assert issued.document["proof"][0]["cryptosuite"] == suite, issued.name
    return shapes


async def credential(http: httpx.AsyncClient, seeded: Seeded, credential_id: str) -> dict[str, Any]:
    response = await http.get(seeded.url("issuer", f"/credentials/{credential_id}"))
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


async def stacked_credential(
    http: httpx.AsyncClient, seeded: Seeded, learner_did: str, suite: str
) -> dict[str, Any] | None:
    """The learner's stacked credential of our pathway's target, once the issuer awarded it
    (right away when the pathway had reached it, else when it does). A DID learner has no
    e-mailed wallet link, so the test reads the issuer's own index of the learner's credentials."""
    target = str(story.PATHWAYS[0]["body"]["target_achievement_id"])
    for credential_id in await asyncio.to_thread(stacked_ids, seeded, learner_did, target):
        document = await credential(http, seeded, credential_id)
        if document["proof"][0]["cryptosuite"] == suite:
            return document
    return None


def stacked_ids(seeded: Seeded, learner_ref: str, achievement_id: str) -> list[str]:
    client: MongoClient[dict[str, Any]] = MongoClient(seeded.ecosystem.mongodb_uri)
    try:
        database = client[seeded.issuer_database]
        index = database["learner_credentials"].find_one({"_id": learner_ref}) or {}
        ids = list(index.get("credential_ids", []))
        return [
            str(found["_id"])
            for found in database["credentials"].find(
                {"_id": {"$in": ids}}, {"kind": True, "achievement_id": True}
            )
            if found["kind"] == "stacked" and found["achievement_id"] == achievement_id
        ]
    finally:
        client.close()


# --- the corpus -------------------------------------------------------------------------------


@dataclass
class Corpus:
    """The forgeries of every genuine credential.

    Field by field, each field of each shape is forged once per suite: the first shape (in
    issuing order) that has a field takes its changes, removals and duplications, and a shape
    issued later adds those of the fields only it has (a result, a component's evidence, a DID
    subject). A field the shapes share is the same bytes under the same signature scheme, and the
    verifier manages 10-15 verifications/s on FerretDB: forging it four times over would triple the
    run for nothing. A member named twice is refused before any signature is read: once per
    field, whatever the suite. The forgeries of the whole credential (its proof, issuer, re-signing)
    are made for every shape.
    """

    issued: list[Issued]
    attacker: Ed25519Multikey
    seen: set[tuple[str, ...]] = field(default_factory=set)
    changed: int = 0

    def mutations(self) -> list[m.Mutation]:
        return [mutation for genuine in self.issued for mutation in self.of(genuine)]

    def first(self, *key: str) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def of(self, genuine: Issued) -> Iterator[m.Mutation]:
        doc, suite, attacker = genuine.document, genuine.suite, self.attacker
        proof = doc["proof"][0]

        def mutation(kind: str, where: str, document: Any, **kw: Any) -> m.Mutation:
            return m.Mutation(genuine.name, kind, where, document, **kw)

        def once(kind: str, path: m.Path) -> bool:
            return self.first(suite, kind, m.render(path))

        for path in m.leaves(doc):
            where = m.render(path)
            if once("changed", path):
                changed = m.set_at(doc, path, m.altered(m.get(doc, path)))
                yield mutation("changed", where, changed)
                # The attacker owns a key and signs the forgery too: under their own did:key,
                # or claiming the issuer's verificationMethod. Either is refused whatever the
                # field (the key is not the issuer's, or the signature does not match it): every
                # other changed field, the two ways in turn, shows it without doubling the run.
                self.changed += 1
                if path[0] != "proof" and self.changed % 4 == 1:
                    signed = m.signed_by(changed, attacker, suite)
                    yield mutation("changed, re-signed by attacker", where, signed)
                elif path[0] != "proof" and self.changed % 4 == 3:
                    vm = proof["verificationMethod"]
                    signed = m.signed_by(changed, attacker, suite, verification_method=vm)
                    yield mutation("changed, re-signed claiming issuer's key", where, signed)
            if isinstance(m.get(doc, path[:-1]), dict) and self.first("named twice", where):
                body = m.duplicate_member_body(doc, path)
                yield mutation("member named twice", where, doc, raw=body)
        for path in m.members(doc):
            if once("removed", path):
                # eddsa-jcs-2022 puts the signed @context in the proof only so a verifier can
                # let contexts be appended after it; without it, the document's own @context is
                # the one checked, and the proof configuration takes that same @context
                # (vc-di-eddsa 1.0 §3.3.2 step 4, §3.3.5 step 4): the very bytes signed.
                null = path == ("proof", 0, "@context")
                yield mutation("removed", m.render(path), m.removed_at(doc, path), may_be_null=null)
        for path in m.array_elements(doc):
            if once("duplicated", path):
                duplicated = m.duplicated_at(doc, path)
                # In the document, a duplicate may say nothing new (see semantically_null); in
                # the proof, only the whole proof listed twice (the same signature, twice).
                null = path[0] != "proof" or path == ("proof", 0)
                yield mutation("duplicated", m.render(path), duplicated, may_be_null=null)
        for kind, where, changed in m.context_changes(doc):
            if self.first(suite, kind, where):
                yield mutation(kind, where, changed, may_be_null=kind != "@context cut")
        yield from self.whole(genuine, mutation)

    def whole(self, genuine: Issued, mutation: Callable[..., m.Mutation]) -> Iterator[m.Mutation]:
        """The proof stripped, swapped, altered or re-signed; the issuer swapped."""
        doc, suite, attacker = genuine.document, genuine.suite, self.attacker
        proof = doc["proof"][0]
        same_suite = [c for c in self.issued if c.suite == suite and c is not genuine]
        # Another genuine proof by the same key where there is one, and another provider's.
        sibling = next((c for c in same_suite if c.provider_id == genuine.provider_id), None)
        stranger = next(c for c in same_suite if c.provider_id != genuine.provider_id)
        yield mutation("proof stripped", "proof", m.unsigned(doc))
        yield mutation("proof emptied", "proof", m.with_proofs(doc, []))
        for other in (sibling, stranger):
            if other is not None:
                swapped = m.with_proofs(doc, other.document["proof"])
                yield mutation("proof swapped", f"proof of {other.name}", swapped)
        for byte in (0, 31, 32, 63):
            value = m.signature_bit_flipped(proof["proofValue"], byte)
            flipped = m.set_at(doc, ("proof", 0, "proofValue"), value)
            yield mutation("proofValue altered", f"signature byte {byte}", flipped)
        yield mutation("re-signed by attacker", "proof", m.signed_by(doc, attacker, suite))
        vm = proof["verificationMethod"]
        yield mutation(
            "re-signed claiming issuer's key",
            "proof.verificationMethod",
            m.signed_by(doc, attacker, suite, verification_method=vm),
        )
        as_attacker = m.set_at(doc, ("issuer", "id"), attacker.controller)
        yield mutation(
            "issuer swapped, re-signed by attacker",
            "issuer.id",
            m.signed_by(as_attacker, attacker, suite),
        )
        extra = create_proof(m.unsigned(doc), attacker, suite=suite)
        yield mutation("attacker's proof added", "proof[1]", m.with_proofs(doc, [proof, extra]))
        # Provider B's genuine credential presented as provider A's, and the reverse.
        theirs = stranger.document["issuer"]
        yield mutation(
            "issuer swapped",
            f"issuer.id of {stranger.name}",
            m.set_at(doc, ("issuer", "id"), theirs["id"]),
        )
        renamed = m.set_at(doc, ("issuer", "id"), theirs["id"])
        renamed["issuer"]["name"] = theirs["name"]
        yield mutation("issuer swapped", f"issuer.id and name of {stranger.name}", renamed)
        yield mutation(
            "issuer swapped",
            f"issuer of {stranger.name}",
            m.set_at(doc, ("issuer",), copy.deepcopy(theirs)),
        )


def self_made(genuine: Issued, attacker: Ed25519Multikey) -> dict[str, Any]:
    """A credential of the attacker's own: its did:key, its name, its course, no status."""
    document = m.unsigned(genuine.document)
    document.pop("credentialStatus", None)
    document["issuer"] = {"id": attacker.controller, "type": ["Profile"], "name": "Quick Certs"}
    document["credentialSubject"]["achievement"]["id"] = "https://quick-certs.example/courses/1"
    return m.signed_by(document, attacker, genuine.suite)


def original(mutation: m.Mutation, issued: list[Issued]) -> dict[str, Any]:
    return next(c.document for c in issued if c.name == mutation.shape)


def semantically_null(genuine: dict[str, Any], mutation: m.Mutation) -> bool:
    """True when the mutation cannot have changed what the credential says: the mutated
    document's RDF dataset (canonical N-Quads by the PyLD reference implementation, in safe mode,
    proofs set aside) is exactly the genuine one's.

    JSON-LD arrays are sets unless declared lists, so a duplicated IRI or literal adds no
    statement; node objects with one id merge; contexts that define the same terms the same way
    in another order, or one more context that redefines nothing (the bundled contexts are all
    @protected), change no term's meaning. eddsa-rdfc-2022 signs that dataset, so such a document
    carries a valid signature by design; eddsa-jcs-2022 allows contexts appended after the
    signed ones (vc-di-eddsa 1.0 §3.3.2 "Verify Proof", step 4). A proof listed twice is the same
    genuine signature twice. None of these is a forgery. Only mutations marked ``may_be_null``
    (duplications, @context reordered, extended or of another version, the JCS proof's @context
    removed) are ever asked: anything else that verifies is a forgery accepted.
    """
    try:
        before = reference_rdfc(m.unsigned(genuine))
        after = reference_rdfc(m.unsigned(mutation.document))
    except CanonicalizationError:
        return False
    return before == after


# --- the verifier -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    outcome: str  # the verdict, or "refused <status>" when the verifier would not take the input
    failed_checks: tuple[str, ...] = ()
    error: bool = False  # a 5xx or an unexpected status: never acceptable, even for a forgery
    detail: str = ""  # why the input was refused

    @property
    def rejected_by(self) -> str:
        return self.failed_checks[0] if self.failed_checks else self.outcome


@dataclass
class Verifier:
    """POST /verify from a rotating set of loopback addresses, CONCURRENCY requests at a time."""

    url: str
    clients: dict[int, httpx.AsyncClient] = field(default_factory=dict)
    sent: int = 0
    semaphore: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))

    def _client(self) -> httpx.AsyncClient:
        index = self.sent // REQUESTS_PER_ADDRESS
        self.sent += 1
        if index not in self.clients:
            address = f"127.1.{index // 250}.{index % 250 + 1}"
            self.clients[index] = httpx.AsyncClient(
                timeout=60, transport=httpx.AsyncHTTPTransport(local_address=address)
            )
        return self.clients[index]

    async def post(self, body: bytes) -> Verdict:
        async with self.semaphore:
            for _ in range(5):
                response = await self._client().post(
                    self.url, content=body, headers={"Content-Type": "application/json"}
                )
                if response.status_code != 429:
                    break
            if response.status_code == 200:
                report = response.json()
                failed = tuple(c["name"] for c in report["checks"] if c["status"] == "failed")
                return Verdict(report["verdict"], failed)
            if response.status_code in (413, 422):
                detail = str(response.json().get("detail", ""))
                return Verdict(f"refused {response.status_code}", detail=detail)
            return Verdict(f"error {response.status_code}: {response.text[:200]}", error=True)

    async def report(self, document: dict[str, Any]) -> dict[str, Any]:
        async with self.semaphore:
            response = await self._client().post(self.url, json={"credential": document})
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        return report

    async def verdict(self, document: dict[str, Any]) -> Verdict:
        return await self.post(m.Mutation("", "", "", document).body())

    async def until_accepted(self, document: dict[str, Any]) -> str:
        """The genuine credential verifies once the verifier's projections (keys, providers,
        achievements) have caught up with the issuer: only then do refusals mean anything."""

        async def accepted() -> str | None:
            verdict = await self.verdict(document)
            return verdict.outcome if verdict.outcome in ACCEPTED else None

        outcome = await eventually(accepted, timeout=120, interval=0.5)
        assert outcome is not None
        return outcome

    async def verdicts(self, corpus: list[m.Mutation]) -> list[Verdict]:
        return list(await asyncio.gather(*(self.post(mutation.body()) for mutation in corpus)))

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()
