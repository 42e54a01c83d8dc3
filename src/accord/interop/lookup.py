"""Finding the records a file refers to by their natural keys, once per value per import."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import uuid
from collections import defaultdict
from typing import Any, TypeVar

from django.db.models import Model, TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

from accord.agreements.models import Agreement
from accord.directory.models import Organisation, Party
from accord.interop.columns import CellError, parse_date
from accord.programmes.models import Plan, Project

M = TypeVar("M", bound=Model)
_PLAN = re.compile(r"^(?P<period>\S+?)(?:\s*r(?P<revision>\d+))?$", re.IGNORECASE)


def as_uid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


class Lookup:
    """Caches of parties, organisations, agreements, projects and plans, and of records by primary key."""

    def __init__(self) -> None:
        self._parties: dict[str, Party] | None = None
        self._orgs: dict[str, list[int]] | None = None
        self._agreements: dict[str, list[int]] | None = None
        self._instances: dict[tuple[type[Model], int], Model] = {}
        self._projects: dict[tuple[int, str], Project | None] = {}
        self._plans: dict[tuple[int, str], Plan] = {}
        self._choices: dict[type[TextChoices], dict[str, str]] = {}

    def instance(self, model: type[M], pk: int) -> M:
        key = (model, pk)
        if key not in self._instances:
            self._instances[key] = model._default_manager.get(pk=pk)
        return self._instances[key]  # type: ignore[return-value]

    # --- vocabularies ---
    def choice(self, choices: type[TextChoices], raw: str) -> str | None:
        if choices not in self._choices:
            names: dict[str, str] = {}
            for language in ("en", "zh-hans", "ru"):
                with translation.override(language):
                    for value, label in choices.choices:
                        names.setdefault(str(label).casefold(), value)
            for value in choices.values:
                names[value.casefold()] = value
            self._choices[choices] = names
        return self._choices[choices].get(raw.strip().casefold())

    # --- parties ---
    def _party_map(self) -> dict[str, Party]:
        if self._parties is None:
            self._parties = {p.code.upper(): p for p in Party.objects.all()}
        return self._parties

    def party(self, raw: str) -> Party | None:
        return self._party_map().get(raw.strip().upper())

    def party_codes(self) -> list[str]:
        return sorted(self._party_map())

    def nearest_parties(self, raw: str, most: int = 5) -> list[str]:
        """At most `most` known codes nearest to `raw` ("SUN" -> SU), by spelling or by a name the party has
        in any language ("France" -> FR), each as "CODE (name)"."""
        wanted = raw.strip().upper()
        parties = self._party_map()
        by_name: dict[str, str] = {}
        for code, party in parties.items():
            for name in (party.name or {}).values():
                if name:
                    by_name.setdefault(" ".join(str(name).split()).upper(), code)
        found = [by_name[n] for n in difflib.get_close_matches(wanted, list(by_name), n=most, cutoff=0.75)]
        if len(wanted) >= 3:  # "China" -> "People's Republic of China"
            found += [code for name, code in by_name.items() if wanted in re.split(r"[^\w]+", name)]
        found += difflib.get_close_matches(wanted, list(parties), n=most, cutoff=0.5)
        found += [c for c in parties if len(wanted) >= 2 and (c.startswith(wanted) or wanted.startswith(c))]
        unique = list(dict.fromkeys(found))[:most]
        return [f"{code} ({parties[code]})" if str(parties[code]) != code else code for code in unique]

    # --- organisations ---
    def _org_index(self) -> dict[str, list[int]]:
        if self._orgs is None:
            index: dict[str, list[int]] = defaultdict(list)
            rows = Organisation.objects.values_list("pk", "uid", "external_id", "identifiers", "name", "aliases")
            for pk, uid, external_id, identifiers, name, aliases in rows.iterator(chunk_size=2000):
                keys = {str(uid)}
                if external_id:
                    keys.add(external_id)
                if isinstance(identifiers, dict) and identifiers.get("ror"):
                    keys.add(str(identifiers["ror"]).rsplit("/", 1)[-1])
                keys.update(v for v in (name or {}).values() if v)
                keys.update(a for a in (aliases or []) if isinstance(a, str) and a)
                for key in keys:
                    index[key].append(pk)
            self._orgs = dict(index)
        return self._orgs

    def organisation(self, raw: str) -> Organisation:
        key = raw.strip()
        if key.startswith("https://ror.org/"):
            key = key.rsplit("/", 1)[-1]
        found = self._org_index().get(key, [])
        if not found:
            raise CellError(_("no organisation “%(value)s” (by external id, ROR id or exact name)") % {"value": raw})
        if len(set(found)) > 1:
            raise CellError(
                _("“%(value)s” names %(count)s organisations; use the external id or ROR id")
                % {"value": raw, "count": len(set(found))}
            )
        return self.instance(Organisation, found[0])

    def organisations_named(self, texts: list[str]) -> set[int]:
        index = self._org_index()
        return {pk for t in texts for pk in index.get(t, [])}

    # --- agreements ---
    def _agreement_index(self) -> dict[str, list[int]]:
        if self._agreements is None:
            index: dict[str, list[int]] = defaultdict(list)
            rows = Agreement.objects.values_list("pk", "uid", "external_id", "reference", "title", "short_title")
            for pk, uid, external_id, reference, title, short_title in rows.iterator(chunk_size=2000):
                keys = {str(uid), *(v for v in (title or {}).values() if v)}
                keys.update(v for v in (short_title or {}).values() if v)
                keys.update(k for k in (external_id, reference) if k)
                for key in keys:
                    index[key].append(pk)
            self._agreements = dict(index)
        return self._agreements

    def agreement(self, raw: str) -> Agreement:
        found = set(self._agreement_index().get(raw.strip(), []))
        if not found:
            raise CellError(_("no agreement “%(value)s” (by external id, reference or exact title)") % {"value": raw})
        if len(found) > 1:
            raise CellError(
                _("“%(value)s” names %(count)s agreements; use the external id or reference")
                % {"value": raw, "count": len(found)}
            )
        return self.instance(Agreement, found.pop())

    # --- projects and plans, within an agreement ---
    def project(self, agreement: Agreement | None, raw: str) -> Project:
        number = raw.strip()
        if agreement is None:
            project = Project.objects.filter(external_id=number).first()
            if project is None:
                raise CellError(_("give the agreement the project “%(value)s” belongs to") % {"value": raw})
            return project
        key = (agreement.pk, number)
        if key not in self._projects:
            self._projects[key] = Project.objects.filter(agreement=agreement, number=number).first()
        project = self._projects[key]
        if project is None:
            raise CellError(
                _("no project number “%(value)s” under “%(agreement)s”") % {"value": raw, "agreement": agreement}
            )
        project.agreement = agreement  # the instance already read: clean() needs it, without a query
        return project

    def plan(self, agreement: Agreement | None, raw: str) -> Plan:
        text = raw.strip()
        uid = as_uid(text)
        if uid is not None:
            plan = Plan.objects.filter(uid=uid).first()
            if plan is None:
                raise CellError(_("no plan with the global id “%(value)s”") % {"value": raw})
            return plan
        if agreement is None:
            raise CellError(_("give the agreement the plan “%(value)s” belongs to") % {"value": raw})
        key = (agreement.pk, text)
        if key not in self._plans:
            self._plans[key] = self._find_plan(agreement, text)
        return self._plans[key]

    def _find_plan(self, agreement: Agreement, text: str) -> Plan:
        match = _PLAN.match(text)
        if match is None:
            raise CellError(_("“%(value)s” is not a plan's period (e.g. 1959)") % {"value": text})
        period, revision = match.group("period"), match.group("revision")
        plans = Plan.objects.filter(agreement=agreement)
        if period.isdigit() and len(period) == 4:
            year = int(period)
            plans = plans.filter(period_start=dt.date(year, 1, 1), period_end=dt.date(year, 12, 31))
        else:
            start, _sep, end = period.partition("/")
            plans = plans.filter(period_start=parse_date(start), period_end=parse_date(end or start))
        if revision:
            plans = plans.filter(revision=int(revision))
        plan = plans.order_by("-revision").first()
        if plan is None:
            raise CellError(
                _("no plan for “%(value)s” under “%(agreement)s”") % {"value": text, "agreement": agreement}
            )
        plan.agreement = agreement
        return plan

    def cached(self, obj: Any) -> None:
        """Remember an instance read elsewhere, so references to it reuse it."""
        self._instances[(type(obj), obj.pk)] = obj
