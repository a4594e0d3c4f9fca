"""The provider's free text that the issuer publishes: result and evidence text in a
credential, a revocation reason in ``credentials.status``.

Both are public (a credential's URL is in every ``credentials.issued`` event and anyone with it
may fetch the credential), so such text must not carry the learner's e-mail address or name:
personal data leaves only to the learner. It is refused, not silently edited, so that the
provider learns why and what a credential states is what the provider said.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from microcred_shared.privacy import carries_email_address, names_person

from .credentials import EvidenceItem, ResultLine
from .errors import PersonalDataInText

LabelledText = tuple[str, str | None]


def credential_texts(
    results: Sequence[ResultLine], evidence: Sequence[EvidenceItem]
) -> list[LabelledText]:
    """Each provider-written text of a credential, labelled as the request names it."""
    texts: list[LabelledText] = []
    for index, line in enumerate(results):
        texts += [(f"results[{index}].name", line.name), (f"results[{index}].value", line.value)]
    for index, item in enumerate(evidence):
        texts += [
            (f"evidence[{index}].url", item.url),
            (f"evidence[{index}].narrative", item.narrative),
            (f"evidence[{index}].name", item.name),
        ]
    return texts


def refuse_personal_data(texts: Iterable[LabelledText], learner_name: str | None = None) -> None:
    """Raise :class:`PersonalDataInText` naming the fields (never their values) that carry an
    e-mail address or the learner's full name."""
    carrying = [
        label
        for label, text in texts
        if text and (carries_email_address(text) or names_person(text, learner_name))
    ]
    if carrying:
        raise PersonalDataInText(
            f"{', '.join(carrying)} would publish personal data (an e-mail address or the "
            "learner's name): credentials and status events are public, so leave it out"
        )
