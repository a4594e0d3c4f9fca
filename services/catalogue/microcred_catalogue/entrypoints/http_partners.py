"""Partner companies: an admin registers one (id, name, website, country) and it becomes a
provider of type ``company``, so it gets what every provider gets, and nothing forked: an API
key, a Kafka principal, and a signing key the issuer creates and announces on ``issuer.keys``
when it sees the provider on ``catalogue.providers`` (the verifier's registry then knows it as
it knows every provider). A company provider is who may endorse (the issuer decides that)."""

from fastapi import APIRouter, Depends, status

from ..domain.providers import Accreditation, ProviderType, Trust
from ..service_layer import commands
from .deps import Api, require_admin
from .http_kafka import issued_view
from .schemas import PartnerCreate, ProviderCreated, ProviderPublic

router = APIRouter(tags=["partners"])


@router.post(
    "/admin/partners", status_code=status.HTTP_201_CREATED, dependencies=[Depends(require_admin)]
)
async def register_partner(body: PartnerCreate, api: Api) -> ProviderCreated:
    """Register a partner company (a provider of type company that may endorse); its API key
    and Kafka credential are in the answer, and only there."""
    created = await api.providers.register(
        commands.RegisterProvider(
            provider_id=body.partner_id,
            name=body.name,
            provider_type=ProviderType.COMPANY,
            country=body.country,
            # A company is not an accredited education provider: the EU QA element says so.
            accreditation=Accreditation(status="not_accredited"),
            website=body.url,
            trust=Trust.TRUSTED,
        )
    )
    issued = await api.kafka_credentials.issue_on_registration(created.provider.provider_id)
    return ProviderCreated(
        provider=ProviderPublic.of(created.provider),
        api_key=created.api_key,
        kafka=issued_view(issued, api.connection) if issued else None,
    )
