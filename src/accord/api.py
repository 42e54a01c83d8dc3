"""The JSON API at /api/v1/: OpenAPI schema at /api/v1/openapi.json, interactive docs at /api/v1/docs.

Resources are named after the domain in plural kebab-case; each app contributes its router.
"""

from accord.accounts.api import router as tokens
from accord.agreements.api import router as agreements
from accord.core.api import AUTH, AccordAPI, install_error_handlers
from accord.directory.api import router as directory
from accord.documents.api import router as documents
from accord.interop import mapping_api  # noqa: F401  the column-mapping step joins interop's router
from accord.interop.api import router as interop
from accord.interop.standards import api as standards_endpoints  # noqa: F401  GET /projects/{ref}/raid joins its projects
from accord.jobs.api import router as jobs
from accord.meetings.api import router as meetings
from accord.programmes.api import router as programmes
from accord.signing import api as signing_endpoints  # POST /plans/{ref}/sign joins programmes' plans; /signatures

api = AccordAPI(
    title="Accord API",
    version="1",
    description="The record of international S&T cooperation programmes. Reads need no login for public "
    "records; a signed-in session or an API token (`Authorization: Bearer acc_…`) sees what its account may "
    "see. Every change names the version it was made against with If-Match (the ETag of the last read); "
    "a stale change is refused with 409 and the current version.",
    urls_namespace="api",
    auth=AUTH,
)
install_error_handlers(api)
api.add_router("/", directory)
api.add_router("/", agreements)
api.add_router("/", programmes)
api.add_router("/tokens", tokens)
api.add_router("/jobs", jobs)
api.add_router("/", interop)
api.add_router("/documents", documents)
api.add_router("/", meetings)
api.add_router("/signatures", signing_endpoints.signatures)
