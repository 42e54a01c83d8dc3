"""The JSON API at /api/v1/: OpenAPI schema at /api/v1/openapi.json, interactive docs at /api/v1/docs.

Resources are named after the domain in plural kebab-case; each app contributes its router.
"""

from ninja import NinjaAPI

from accord.agreements.api import router as agreements
from accord.core.api import install_error_handlers
from accord.directory.api import router as directory
from accord.programmes.api import router as programmes

api = NinjaAPI(
    title="Accord API",
    version="1",
    description="The record of international S&T cooperation programmes. Reads need no login for public "
    "records; a signed-in session sees what its account may see.",
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", directory)
api.add_router("/", agreements)
api.add_router("/", programmes)
