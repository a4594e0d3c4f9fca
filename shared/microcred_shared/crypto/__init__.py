"""Ed25519 keys, DIDs and W3C Data Integrity proofs (eddsa-rdfc-2022, eddsa-jcs-2022).

Modules, by concern: ``multibase``, ``keys`` and ``key_formats`` (key material; JWK, PEM),
``did`` (did:key, did:web), ``loader`` (offline JSON-LD contexts), ``canonicalize``
(RDFC-1.0 in safe mode, JCS), ``suites`` (what each cryptosuite hashes), ``resolvers``
(verification method → key), ``proofs`` (sign) and ``verification`` (verify, one result
per proof).
"""

from microcred_shared.crypto.canonicalize import (
    canonicalize_jcs,
    canonicalize_rdfc,
    check_safe_mode,
    expand_safe,
    reference_rdfc,
    set_rdfc_implementation,
)
from microcred_shared.crypto.did import (
    VerificationMethodEntry,
    did_key_document,
    did_key_from_multibase,
    did_key_vm_id,
    did_web_document,
    did_web_to_url,
    multibase_from_did_key,
    split_did_url,
    url_to_did_web,
)
from microcred_shared.crypto.errors import (
    CanonicalizationError,
    ContextNotBundledError,
    CryptoError,
    DidError,
    KeyResolutionError,
    MultibaseError,
    ProofError,
    SafeModeError,
)
from microcred_shared.crypto.key_formats import (
    ACCEPTED_KEY_FORMS,
    KeyFormatError,
    key_from_mapping,
    public_key_jwk,
    read_ed25519_key,
)
from microcred_shared.crypto.keys import (
    Ed25519Multikey,
    public_key_from_multibase,
    public_key_to_multibase,
)
from microcred_shared.crypto.loader import OfflineDocumentLoader, default_loader, load_context_dir
from microcred_shared.crypto.multibase import (
    decode_base58btc,
    decode_ed25519_public,
    decode_ed25519_secret,
    encode_base58btc,
    encode_ed25519_public,
    encode_ed25519_secret,
)
from microcred_shared.crypto.proofs import NOW, create_proof, proofs_of, sign
from microcred_shared.crypto.resolvers import (
    AsyncKeyResolver,
    ChainResolver,
    DidKeyResolver,
    KeyResolver,
    ResolvedKey,
    StaticKeyResolver,
    default_offline_resolver,
    keys_from_document,
)
from microcred_shared.crypto.suites import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    SIGNING_SUITES,
    SUITES,
    Cryptosuite,
)
from microcred_shared.crypto.verification import (
    ProofCheck,
    VerificationResult,
    averify_proofs,
    verify_proofs,
)

__all__ = [
    "ACCEPTED_KEY_FORMS",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "NOW",
    "SIGNING_SUITES",
    "SUITES",
    "AsyncKeyResolver",
    "CanonicalizationError",
    "ChainResolver",
    "ContextNotBundledError",
    "CryptoError",
    "Cryptosuite",
    "DidError",
    "DidKeyResolver",
    "Ed25519Multikey",
    "KeyFormatError",
    "KeyResolutionError",
    "KeyResolver",
    "MultibaseError",
    "OfflineDocumentLoader",
    "ProofCheck",
    "ProofError",
    "ResolvedKey",
    "SafeModeError",
    "StaticKeyResolver",
    "VerificationMethodEntry",
    "VerificationResult",
    "averify_proofs",
    "canonicalize_jcs",
    "canonicalize_rdfc",
    "check_safe_mode",
    "create_proof",
    "decode_base58btc",
    "decode_ed25519_public",
    "decode_ed25519_secret",
    "default_loader",
    "default_offline_resolver",
    "did_key_document",
    "did_key_from_multibase",
    "did_key_vm_id",
    "did_web_document",
    "did_web_to_url",
    "encode_base58btc",
    "encode_ed25519_public",
    "encode_ed25519_secret",
    "expand_safe",
    "key_from_mapping",
    "keys_from_document",
    "load_context_dir",
    "multibase_from_did_key",
    "proofs_of",
    "public_key_from_multibase",
    "public_key_jwk",
    "public_key_to_multibase",
    "read_ed25519_key",
    "reference_rdfc",
    "set_rdfc_implementation",
    "sign",
    "split_did_url",
    "url_to_did_web",
    "verify_proofs",
]
