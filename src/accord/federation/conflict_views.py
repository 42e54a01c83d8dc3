"""The conflicts page: changes to shared records that arrived against another version, and their decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accord.core.errors import DomainError
from accord.core.ids import record_id
from accord.core.pages.views import refusals
from accord.core.permissions import can
from accord.core.visibility import visible
from accord.federation import conflicts as services
from accord.federation.models import Conflict


@login_required
def conflict_list(request: HttpRequest) -> HttpResponse:
    conflicts = list(visible(Conflict.objects.select_related("from_party", "owner_party"), request.user))
    for conflict in conflicts:
        open_one = conflict.status == Conflict.Status.OPEN
        conflict.may_decide = open_one and can(request.user, "change", conflict)  # type: ignore[attr-defined]
    return render(request, "federation/conflicts.html", {"conflicts": conflicts})


@login_required
@refusals
@require_POST
def conflict_decide(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(visible(Conflict.objects.all(), request.user), pk=pk)
    version = record_id(request.POST.get("version", ""))
    decision = request.POST.get("decision")
    if version is None or decision not in ("keep", "take"):
        messages.error(request, _("Choose keep ours or take theirs."))
        return redirect("federation-conflicts:list")
    try:
        if decision == "keep":
            services.keep_ours(conflict, expected_version=version)
        else:
            services.take_theirs(conflict, expected_version=version)
    except DomainError as exc:
        if exc.code == "forbidden":
            raise
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The conflict is decided; the decision is sent to the other side."))
    return redirect("federation-conflicts:list")
