"""The one stylesheet of every service's server-rendered pages (the catalogue's and the
issuer's look alike), kept in this package and served by each service at the same path."""

from importlib.resources import files

from fastapi import APIRouter, Response

PAGES_CSS = files(__package__ or "microcred_shared.service").joinpath("pages.css").read_text()

router = APIRouter(include_in_schema=False)


@router.get("/assets/pages.css")
async def stylesheet() -> Response:
    return Response(PAGES_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})
