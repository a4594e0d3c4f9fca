"""Why the issuer refuses to act: each has a machine-readable code and words for people.
Entrypoints translate the code (``entrypoints/problems.py`` for HTTP, a dead letter on Kafka)."""

from __future__ import annotations


class IssuerError(Exception):
    code = "issuer_error"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownProvider(IssuerError):
    code = "unknown_provider"


class UnknownAchievement(IssuerError):
    code = "unknown_achievement"


class ForeignAchievement(IssuerError):
    """The classic hole: a provider trying to issue another provider's achievement."""

    code = "achievement_of_another_provider"


class RetiredAchievement(IssuerError):
    code = "achievement_retired"


class ProviderNotTrusted(IssuerError):
    code = "provider_suspended"


class Forbidden(IssuerError):
    code = "forbidden"


class CredentialNotFound(IssuerError):
    code = "credential_not_found"


class InvalidStatusChange(IssuerError):
    code = "invalid_status_change"


class InvalidCredential(IssuerError):
    """What we built does not validate against the OB 3.0 schema: a bug, never issued."""

    code = "credential_schema_invalid"


class UnknownKey(IssuerError):
    code = "unknown_key"


class CompromiseInFuture(IssuerError):
    code = "compromise_in_future"


class UnknownJob(IssuerError):
    code = "unknown_job"


class StatusListNotAnnounced(IssuerError):
    """A new status list's first snapshot is not on Kafka yet: no slot in it is claimed until
    it is, so no credential names a list verifiers have not seen. Retried, never final."""

    code = "status_list_not_announced"


class PersonalDataInText(IssuerError):
    """Provider text that would publish a learner's e-mail or name: the reason never echoes it."""

    code = "personal_data"


class KeyChallengeInvalid(IssuerError):
    """A key import named a challenge that is unknown, already used, expired or another
    provider's: the provider asks for a fresh one."""

    code = "key_challenge_invalid"


class KeyPossessionNotProven(IssuerError):
    """The challenge's signature does not verify under the key offered for import."""

    code = "key_possession_not_proven"


class InvalidSigningKey(IssuerError):
    """Key material that is not an Ed25519 secret key in an accepted form."""

    code = "invalid_signing_key"


class DidNotClaimed(IssuerError):
    """A provider chose a DID the catalogue does not list as its own: no one vouched for it."""

    code = "did_not_claimed"


class VcJoseUnavailable(IssuerError):
    """The provider's current key signs under another DID than the credential's issuer (it
    moved to a DID of its own): a VC-JOSE form signed now would not be the issuer's."""

    code = "vc_jose_unavailable"


class ClrSelectionInvalid(IssuerError):
    """A learner asked for a CLR of nothing, of too much, or of a revoked credential."""

    code = "clr_selection_invalid"


class ShareLinkNotFound(IssuerError):
    code = "share_link_not_found"


class ShareLinkWithdrawn(IssuerError):
    """The learner withdrew this link: the credential is no longer shared through it."""

    code = "share_link_withdrawn"


class EndorsementNotFound(IssuerError):
    code = "endorsement_not_found"


class NotAnEndorser(IssuerError):
    """Only a partner company (a provider of type company) endorses, and never itself."""

    code = "not_an_endorser"
