"""Collecting the keys a credential's proofs name: this ecosystem's issuers from the issuer.keys
projection, a did:web issuer outside it from its DID document through the safe fetcher."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from microcred_shared.crypto import (
    ChainResolver,
    DidError,
    DidKeyResolver,
    KeyResolutionError,
    ResolvedKey,
    StaticKeyResolver,
    did_web_to_url,
    keys_from_document,
    proofs_of,
    split_did_url,
)

from ..domain.jwt import JwtCredential
from .intake import InputError, parse_json
from .ports import Fetcher, FetchError, Projections


@dataclass(frozen=True)
class IssuerKeys:
    resolver: ChainResolver
    # DIDs whose documents could not be obtained, and why.
    unresolved_dids: Mapping[str, str] = field(default_factory=dict)
    # The issuer's keys are in the issuer.keys projection: this ecosystem hosts its DID.
    issuer_hosted_here: bool = False


class DidDocumentUnavailable(Exception):
    """The DID document could not be had (fetching disabled, refused, unreachable, unusable)."""


class DidWebDocuments:
    """A did:web DID's keys, read from its document at the did:web URL (https only)."""

    def __init__(self, fetcher: Fetcher | None, max_depth: int) -> None:
        self._fetcher = fetcher
        self._max_depth = max_depth

    async def keys_of(self, did: str) -> list[ResolvedKey]:
        if self._fetcher is None:
            raise DidDocumentUnavailable("fetching DID documents is disabled here")
        try:
            url = did_web_to_url(did)
            body, _ = await self._fetcher.fetch(url)
            document = parse_json(body, self._max_depth)
        except (DidError, FetchError, InputError) as exc:
            raise DidDocumentUnavailable(f"its DID document was not obtained: {exc}") from exc
        if not isinstance(document, Mapping) or document.get("id") != did:
            raise DidDocumentUnavailable(f"{url} does not serve the DID document of {did}")
        try:
            return keys_from_document(document)
        except KeyResolutionError as exc:
            raise DidDocumentUnavailable(f"its DID document at {url} is unusable: {exc}") from exc


class IssuerKeyGatherer:
    def __init__(self, projections: Projections, did_web: DidWebDocuments) -> None:
        self._projections = projections
        self._did_web = did_web

    async def gather(
        self, document: Mapping[str, Any], jwt: JwtCredential | None, issuer: str | None
    ) -> IssuerKeys:
        """The projection knows this ecosystem's issuers, whatever DID they sign under (what it
        says of a did:key comes before the did:key itself: a compromise report); did:key
        otherwise resolves by itself; only the credential's own issuer is looked up outside it
        (an attacker naming someone else's did:web learns nothing: that key is not the issuer's
        whatever it is)."""
        known = StaticKeyResolver()
        unresolved: dict[str, str] = {}
        hosted = False
        named = _named_dids(document, jwt)
        # The issuer's keys also sign its status list credentials, and say whether it is hosted.
        for did in named | ({issuer} if issuer else set()):
            # A did:key resolves by itself, but a provider of this ecosystem may sign under
            # one: then its announced key (with any compromise report) is the one to use.
            keys = await self._projections.keys_of(did)
            hosted = hosted or (bool(keys) and did == issuer)
            if not keys and did == issuer and did in named and did.startswith("did:web:"):
                try:
                    keys = await self._did_web.keys_of(did)
                except DidDocumentUnavailable as exc:
                    unresolved[did] = str(exc)
            for key in keys:
                known.add(key)
        return IssuerKeys(ChainResolver(known, DidKeyResolver()), unresolved, hosted)


def _named_dids(document: Mapping[str, Any], jwt: JwtCredential | None) -> set[str]:
    """The DIDs whose keys the proofs (or the JWT's kid) name."""
    methods = [p.get("verificationMethod") for p in proofs_of(document) if isinstance(p, Mapping)]
    if jwt and jwt.kid:
        methods.append(jwt.kid)
    return {split_did_url(vm)[0] for vm in methods if isinstance(vm, str)}
