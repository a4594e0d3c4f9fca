"""Why the issuer refuses to act: each has a machine-readable code and words for people."""

from __future__ import annotations


class IssuerError(Exception):
    code = "issuer_error"
    http_status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownProvider(IssuerError):
    code = "unknown_provider"
    http_status = 422


class UnknownAchievement(IssuerError):
    code = "unknown_achievement"
    http_status = 422


class ForeignAchievement(IssuerError):
    """The classic hole: a provider trying to issue another provider's achievement."""

    code = "achievement_of_another_provider"
    http_status = 403


class RetiredAchievement(IssuerError):
    code = "achievement_retired"
    http_status = 422


class ProviderNotTrusted(IssuerError):
    code = "provider_suspended"
    http_status = 403


class Forbidden(IssuerError):
    code = "forbidden"
    http_status = 403


class CredentialNotFound(IssuerError):
    code = "credential_not_found"
    http_status = 404


class InvalidStatusChange(IssuerError):
    code = "invalid_status_change"
    http_status = 409


class InvalidCredential(IssuerError):
    """What we built does not validate against the OB 3.0 schema: a bug, never issued."""

    code = "credential_schema_invalid"
    http_status = 500


class UnknownKey(IssuerError):
    code = "unknown_key"
    http_status = 404


class CompromiseInFuture(IssuerError):
    code = "compromise_in_future"
    http_status = 422


class UnknownJob(IssuerError):
    code = "unknown_job"
    http_status = 404


class StatusListNotAnnounced(IssuerError):
    """A new status list's first snapshot is not on Kafka yet: no slot in it is claimed until
    it is, so no credential names a list verifiers have not seen. Retried, never final."""

    code = "status_list_not_announced"
    http_status = 503


class PersonalDataInText(IssuerError):
    """Provider text that would publish a learner's e-mail or name: the reason never echoes it."""

    code = "personal_data"
    http_status = 422
