"""The API's standards endpoints: a project as RAiD metadata. It joins the projects resource of programmes' API
(GET /projects/{ref}/raid), as the standards build on programmes and programmes does not know them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accord.core.api import Error
from accord.core.refs import find
from accord.core.visibility import visible
from accord.interop.standards.raid import project_raid as raid
from accord.programmes.api import projects_w
from accord.programmes.models import Project


@projects_w.get("/{ref}/raid", response={200: dict[str, Any], 404: Error}, summary="The project as RAiD metadata")
def project_raid(request: HttpRequest, ref: str) -> Any:
    """ISO 23527 (RAiD) metadata of a public project, valid against the RAiD v2 schema."""
    return raid(find(visible(Project.objects.select_related("agreement"), None), ref, "project"))
