"""Which verification a presented document gets. The one classification every entrypoint
(the API, the page) branches on: a new kind of document adds its kind here and its branch
beside theirs."""

from __future__ import annotations

from typing import Literal

from .presentation import is_presentation
from .verification import Presented

DocumentKind = Literal["credential", "presentation"]


def document_kind(presented: Presented | None) -> DocumentKind:
    """A presentation (VC 2.0 ``VerifiablePresentation``, as JSON-LD), else a credential (also
    whatever is not yet known: a URL's body is fetched and checked as a credential). A CLR is a
    credential: its check (``service_layer.clr``) includes each credential it bundles."""
    if presented is not None and presented.jwt is None and is_presentation(presented.document):
        return "presentation"
    return "credential"
