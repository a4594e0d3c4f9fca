"""Exceptions raised by the crypto package (one base class so callers can catch them all)."""

from __future__ import annotations


class CryptoError(Exception):
    """Base class of every error raised by ``microcred_shared.crypto``."""


class MultibaseError(CryptoError, ValueError):
    """A multibase / multicodec value is malformed or of the wrong kind."""


class DidError(CryptoError, ValueError):
    """A DID or DID URL is malformed or of an unsupported method."""


class ContextNotBundledError(CryptoError):
    """A document asked for a JSON-LD context we do not ship (we never fetch one)."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not bundled with microcred; "
            "remote contexts are never fetched (add the file to crypto/contexts/ to support it)"
        )
        self.url = url


class CanonicalizationError(CryptoError):
    """The document could not be canonicalised (invalid JSON-LD, unsafe JSON-LD, bad JSON)."""


class SafeModeError(CanonicalizationError):
    """JSON-LD expansion would silently drop or mangle data (undefined term, relative IRI)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("JSON-LD safe mode: " + "; ".join(problems))
        self.problems = problems


class KeyResolutionError(CryptoError):
    """A verification method could not be resolved to a usable public key."""


class ProofError(CryptoError):
    """A proof could not be created (bad options, missing secret key, unsupported suite)."""
