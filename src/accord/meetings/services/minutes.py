"""Domain operations on agreed minutes: start, amend, compare, sign off (and so become final).

The minutes' text is a chain of revisions that are only ever created: a save names the revision it
started from and is refused as stale if another was made in the meantime. Each party signs off one
exact revision; when every party has signed off the current one, the minutes are final and nothing
about them changes again.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accord.agreements.models import AgreementParty
from accord.agreements.services import check_owner
from accord.core import services as records
from accord.core.actor import current_actor
from accord.core.audit import canonical
from accord.core.errors import DomainError, TransitionRefused, ValidationFailed
from accord.core.localized import LocalizedText, clean_localized, normalize_tag, text_for
from accord.core.permissions import require_actor, require_actor_create
from accord.directory.models import Party, Person
from accord.meetings.models import Delegation, Meeting, Minutes, MinutesRevision, MinutesSignOff


class StaleRevision(DomainError):
    """A save or sign-off made from a revision that is no longer the current one."""

    code = "stale_revision"

    def __init__(self, *, started_from: int, latest: MinutesRevision, field: str = "based_on"):
        self.started_from = started_from
        self.current = latest.number
        self.changed_by = latest.made_by
        self.changed_at = latest.created_at
        super().__init__(
            _(
                "the minutes were modified in the meantime by %(who)s at %(when)s: you started from revision "
                "%(started)s, the current one is revision %(current)s. Compare the two and start again from "
                "%(current)s."
            )
            % {
                "who": latest.made_by,
                "when": f"{latest.created_at:%Y-%m-%d %H:%M:%S %Z}",
                "started": started_from,
                "current": latest.number,
            },
            field=field,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "started_from": self.started_from,
            "current_revision": self.current,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat(),
        }


class Change(NamedTuple):
    """One difference between two revisions' texts, by lines (paragraphs)."""

    op: str  # "insert", "delete" or "replace"
    old: tuple[str, ...]  # the lines of the older text it concerns (empty for an insert)
    new: tuple[str, ...]  # the lines of the newer text (empty for a delete)
    old_line: int  # 1-based line of the first old line (for an insert: the line it comes before)
    new_line: int


# --- reading ---------------------------------------------------------------------------------------


def meeting_parties(meeting: Meeting) -> list[Party]:
    """The parties whose sign-off the minutes need: those that sent a delegation, else the agreement's.

    Observers of the agreement do not sign.
    """
    party_ids = list(Delegation.objects.filter(meeting=meeting).order_by("id").values_list("party_id", flat=True))
    if not party_ids:
        party_ids = list(
            AgreementParty.objects.filter(agreement_id=meeting.agreement_id)
            .exclude(role=AgreementParty.Role.OBSERVER)
            .order_by("position", "id")
            .values_list("party_id", flat=True)
        )
    by_id = Party.objects.in_bulk(party_ids)
    return [by_id[pk] for pk in party_ids]


def parties_of(minutes: Minutes) -> list[Party]:
    return meeting_parties(minutes.meeting)


def get_revision(minutes: Minutes, number: int, *, field: str = "revision") -> MinutesRevision:
    """Revision `number` of the minutes, or ValidationFailed naming `field` and the numbers there are."""
    rev = MinutesRevision.objects.filter(minutes=minutes, number=number).select_related("party").first()
    if rev is None:
        last = MinutesRevision.objects.filter(minutes=minutes).order_by("-number").values_list("number", flat=True)
        there = _("revisions 1 to %(last)s") % {"last": last.first()} if last.first() else _("no revisions")
        message = _("the minutes have no revision %(number)s (there are %(there)s)")
        raise ValidationFailed({field: [message % {"number": number, "there": there}]})
    return rev


def current_revision(minutes: Minutes) -> MinutesRevision:
    return get_revision(minutes, minutes.current_revision)


def sign_offs_of_current(minutes: Minutes) -> list[MinutesSignOff]:
    """The sign-offs that count: those on the current revision (earlier ones were for another text)."""
    return list(
        MinutesSignOff.objects.filter(minutes=minutes, revision=minutes.current_revision)
        .select_related("party")
        .order_by("id")
    )


def pending_parties(minutes: Minutes) -> list[Party]:
    """The parties that have not yet signed off the current revision."""
    signed = {s.party_id for s in sign_offs_of_current(minutes)}
    return [p for p in parties_of(minutes) if p.pk not in signed]


def body_sha256(body: Mapping[str, str]) -> str:
    """SHA-256 of a revision's text as canonical JSON: the exact text a sign-off agrees to."""
    return hashlib.sha256(canonical(dict(body)).encode()).hexdigest()


# --- writing ---------------------------------------------------------------------------------------


def _clean_body(changes: Any, base: Mapping[str, str] | None = None) -> LocalizedText:
    """`base` with the languages in `changes` replaced; a language given as empty text is removed.

    Line endings are normalised so that a file saved on another system does not differ on every line.
    """
    if not isinstance(changes, Mapping):
        raise ValidationFailed({"body": ['give the text as {language tag: text}, e.g. {"ru": "..."}']})
    merged = dict(base or {})
    for raw_tag, text in changes.items():
        try:
            tag = normalize_tag(raw_tag)
        except ValueError as exc:
            raise ValidationFailed({"body": [str(exc)]}) from None
        if not isinstance(text, str):
            raise ValidationFailed({"body": [_("the %(language)s text must be a string") % {"language": tag}]})
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
        if text:
            merged[tag] = text
        else:
            merged.pop(tag, None)
    try:
        return clean_localized(merged)
    except ValidationError as exc:
        raise ValidationFailed({"body": exc.messages}) from None


def _check_party(meeting: Meeting, party: Party | None, *, required: bool) -> None:
    if party is None:
        if required:
            raise ValidationFailed({"party": [_("name the party whose delegation acts")]})
        return
    parties = meeting_parties(meeting)
    if party.pk not in {p.pk for p in parties}:
        codes = ", ".join(p.code for p in parties) or _("none")
        message = _("%(party)s is not a party of the minutes of “%(meeting)s” (parties: %(parties)s)")
        raise ValidationFailed({"party": [message % {"party": party.code, "meeting": meeting, "parties": codes}]})


def _check_stale(minutes: Minutes, started_from: Any, field: str) -> None:
    """Refuse work started from any revision but the current one: StaleRevision if it was an earlier one."""
    current = minutes.current_revision
    if started_from == current:
        return
    if isinstance(started_from, bool) or not isinstance(started_from, int) or not 1 <= started_from < current:
        message = _("the minutes have no revision %(number)s (there are revisions 1 to %(current)s)")
        raise ValidationFailed({field: [message % {"number": started_from, "current": current}]})
    raise StaleRevision(started_from=started_from, latest=current_revision(minutes), field=field)


def _lock(minutes: Minutes) -> Minutes:
    """The stored minutes, locked until the end of the transaction: saves and sign-offs queue up here."""
    locked = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").filter(pk=minutes.pk).first()
    if locked is None:
        raise ValidationFailed({"minutes": [_("minutes %(id)s no longer exist") % {"id": minutes.pk}]})
    return locked


def _refuse_if_final(minutes: Minutes, what: str) -> None:
    if minutes.is_final:
        raise TransitionRefused(
            _("the minutes are final (since %(since)s, revision %(revision)s): %(what)s")
            % {"since": minutes.finalised_on, "revision": minutes.current_revision, "what": what},
            field="status",
        )


@transaction.atomic
def start_minutes(
    meeting: Meeting,
    body: Mapping[str, str],
    *,
    party: Party | None = None,
    note: str = "",
    author_name: str | None = None,
    visibility: str | None = None,
) -> MinutesRevision:
    """Open the minutes of `meeting` with their first draft (revision 1); one minutes per meeting.

    `party` is the delegation that drafted them, or None for the secretariat.
    """
    # The agreement's coordinators open the minutes; a delegation's draft, that party's coordinator only.
    require_actor("view", meeting)
    require_actor_create(_("the minutes of “%(meeting)s”") % {"meeting": meeting}, agreement=meeting.agreement)
    existing = Minutes.objects.filter(meeting=meeting).first()
    if existing is not None:
        raise ValidationFailed(
            {
                "meeting": [
                    _("the minutes of “%(meeting)s” were already started (now at revision %(revision)s)")
                    % {"meeting": meeting, "revision": existing.current_revision}
                ]
            }
        )
    _check_party(meeting, party, required=False)
    check_owner(
        party, meeting.agreement_id, _("a draft of the minutes of “%(meeting)s”") % {"meeting": meeting}, field="party"
    )
    text = _clean_body(body)
    minutes = records.create(
        Minutes,
        related=meeting,
        meeting=meeting,
        current_revision=1,
        visibility=visibility or meeting.visibility,
    )
    return records.create(
        MinutesRevision,
        related=minutes,
        minutes=minutes,
        number=1,
        based_on=None,
        body=text,
        party=party,
        author_name=(author_name or current_actor().name)[:200],
        note=note,
    )


@transaction.atomic
def amend_minutes(
    minutes: Minutes,
    *,
    based_on: int,
    body: Mapping[str, str],
    party: Party,
    note: str = "",
    author_name: str | None = None,
) -> MinutesRevision:
    """A delegation's amendment: a new revision (current + 1) made from revision `based_on`.

    `body` gives the text in the languages it changes; the other languages keep the text of
    `based_on`, and a language given as empty text is removed. Refused when the minutes are final,
    when `party` is not one of theirs, when nothing changes, and when `based_on` is no longer the
    current revision (StaleRevision, naming who made the newer one and when). Earlier revisions and
    sign-offs are left as they are: a sign-off counts only for the revision it was given on.
    """
    locked = _lock(minutes)
    # A delegation amends for its own party: that party's coordinators (check_owner, as every part filed by a side).
    require_actor("view", locked)
    require_actor_create(_("an amendment to %(minutes)s") % {"minutes": locked}, agreement=locked.meeting.agreement)
    _refuse_if_final(locked, _("they can no longer be amended"))
    _check_party(locked.meeting, party, required=True)
    check_owner(
        party, locked.meeting.agreement_id, _("an amendment to %(minutes)s") % {"minutes": locked}, field="party"
    )
    _check_stale(locked, based_on, "based_on")
    base = current_revision(locked)
    text = _clean_body(body, base.body)
    if text == base.body:
        message = _("nothing changed: the text is the same as revision %(number)s")
        raise ValidationFailed({"body": [message % {"number": base.number}]})
    number = locked.current_revision + 1
    revision = records.create(
        MinutesRevision,
        related=locked,
        minutes=locked,
        number=number,
        based_on=base.number,
        body=text,
        party=party,
        author_name=(author_name or current_actor().name)[:200],
        note=note,
    )
    records.update(minutes, expected_version=locked.version, related=locked.meeting, current_revision=number)
    return revision


@transaction.atomic
def sign_off(
    minutes: Minutes,
    *,
    party: Party,
    revision: int,
    signed_on: dt.date,
    signed_by: Person | None = None,
    signer_name: str | None = None,
) -> MinutesSignOff:
    """`party` agrees to revision `revision`, which must be the current one; once per party and revision.

    When every party has signed off the current revision, the minutes become final in the same
    transaction (finalised on the latest of those sign-off dates).
    """
    locked = _lock(minutes)
    require_actor("sign_off", locked, party=party)  # a party's coordinator signs off for that party only
    _refuse_if_final(locked, _("there is nothing more to sign off"))
    _check_party(locked.meeting, party, required=True)
    _check_stale(locked, revision, "revision")
    errors: dict[str, list[str]] = {}
    earlier = MinutesSignOff.objects.filter(minutes=locked, revision=revision, party=party).first()
    if earlier is not None:
        message = _("%(party)s already signed off revision %(revision)s on %(on)s")
        errors["party"] = [message % {"party": party.code, "revision": revision, "on": earlier.signed_on}]
    if signed_by is not None and signed_by.party_id and signed_by.party_id != party.pk:
        errors["signed_by"] = [_("%(person)s does not sign for %(party)s") % {"person": signed_by, "party": party.code}]
    start = locked.meeting.start_on
    if start and signed_on and signed_on < start:
        errors["signed_on"] = [_("must not be before the meeting began (%(start)s)") % {"start": start.isoformat()}]
    if errors:
        raise ValidationFailed(errors)
    if signer_name is None:
        # The name as the signer writes it in the party's language.
        signer_name = (
            text_for(signed_by.name, party.languages[0] if party.languages else "en", ["en"]) if signed_by else ""
        )
    text = current_revision(locked)
    signed = records.create(
        MinutesSignOff,
        related=locked,
        minutes=locked,
        revision=revision,
        party=party,
        signed_by=signed_by,
        signer_name=signer_name[:200],
        signed_on=signed_on,
        body_sha256=body_sha256(text.body),
        owner_party=party,
    )
    if not pending_parties(locked):
        last_day = max(s.signed_on for s in sign_offs_of_current(locked))
        records.update(
            minutes,
            expected_version=locked.version,
            related=locked.meeting,
            status=Minutes.Status.FINAL,
            finalised_on=last_day,
        )
    return signed


# --- comparing -------------------------------------------------------------------------------------


def languages_of(minutes: Minutes, *numbers: int) -> list[str]:
    """The languages present in the given revisions (all revisions if none given)."""
    revisions = MinutesRevision.objects.filter(minutes=minutes)
    if numbers:
        revisions = revisions.filter(number__in=numbers)
    tags: set[str] = set()
    for body in revisions.values_list("body", flat=True):
        tags.update(k for k, v in (body or {}).items() if v)
    return sorted(tags)


def text_in(revision: MinutesRevision, language: str) -> str | None:
    """The revision's text in `language`: the exact tag, else the same language under another tag
    ('zh' asked, 'zh-Hans' stored); None if it has none."""
    try:
        tag = normalize_tag(language)
    except ValueError as exc:
        raise ValidationFailed({"language": [str(exc)]}) from None
    body = revision.body or {}
    if body.get(tag):
        return body[tag]
    primary = tag.split("-", 1)[0].lower()
    return next((body[k] for k in sorted(body) if k.split("-", 1)[0].lower() == primary and body[k]), None)


def _texts(minutes: Minutes, a: int, b: int, language: str) -> tuple[list[str], list[str]]:
    old, new = get_revision(minutes, a, field="a"), get_revision(minutes, b, field="b")
    old_text, new_text = text_in(old, language), text_in(new, language)
    if old_text is None and new_text is None:
        present = ", ".join(languages_of(minutes, a, b)) or _("none")
        raise ValidationFailed(
            {
                "language": [
                    _("neither revision %(a)s nor %(b)s has a text in %(language)s (languages: %(present)s)")
                    % {"a": a, "b": b, "language": language, "present": present}
                ]
            }
        )
    # A language added or dropped between the two compares with an empty text.
    return (old_text or "").splitlines(), (new_text or "").splitlines()


def compare(minutes: Minutes, a: int, b: int, language: str) -> list[Change]:
    """What changed in `language` from revision `a` to revision `b`, line by line (any two revisions)."""
    old, new = _texts(minutes, a, b, language)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [
        Change(op, tuple(old[i1:i2]), tuple(new[j1:j2]), i1 + 1, j1 + 1)
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]


def unified_diff(minutes: Minutes, a: int, b: int, language: str, *, context: int = 3) -> str:
    """The same comparison as a unified diff ('' when the texts are the same)."""
    old, new = _texts(minutes, a, b, language)
    lines = difflib.unified_diff(
        old, new, fromfile=f"revision {a} ({language})", tofile=f"revision {b} ({language})", n=context, lineterm=""
    )
    return "\n".join(lines)
