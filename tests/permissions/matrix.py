"""The permission matrix: one table of records, roles, channels and the expected outcome of each.

Everything the tests in this folder check is generated from the data below. The expectations are written
out by hand (READS, CHANGES); they are never computed with core.visibility or core.permissions, the code
under test.

Records: for each kind of record with pages or an API, five records, one per *slot*:
  cn-internal  internal to China (owner CN), under the CN–SU protocol
  su-internal  internal to the USSR (owner SU), under the protocol
  bilateral    bilateral, under the protocol, shared (no owner)
  cn-owned     bilateral, under the protocol, owned by CN (SU reads it but may not change it)
  public       public, under the protocol, shared
  gb-su        bilateral, under a third agreement between a new party GB and SU (nothing of it is CN's)
Organisations have no agreement: their bilateral records are shared with the owner's partners, so the
bilateral organisation is owned by CN and the gb-su one by GB (which is why CHANGES has an override for them).
Agreements are themselves the records: "cn-internal" is a CN–SU agreement internal to CN, and so on; "gb-su"
is the GB–SU agreement the other gb-su records live under.

Channels (see CHANNELS): record pages (detail, list, /search/, home page), the JSON API (detail, list),
exports (CSV), documents (file downloads), dashboard figures, OAI-PMH (ListRecords, GetRecord), RAiD and
CERIF; changes through the edit page (GET and POST) and the API (PATCH with If-Match).
Feeds: Accord has no RSS/Atom feed; OAI-PMH is its only feed-like (harvesting) channel and is treated as
the feed channel here.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("agreements", "plans", "projects", "plan-items", "exchanges", "organisations", "documents")
SLOTS = ("cn-internal", "su-internal", "bilateral", "cn-owned", "public", "gb-su")
ROLES = (
    "admin",
    "cn-coordinator",
    "su-coordinator",
    "gb-coordinator",
    "cas-reporter",
    "msu-reporter",
    "cn-observer",
    "anonymous",
)


@dataclass(frozen=True)
class Slot:
    visibility: str
    owner: str | None  # party code
    agreement: str  # "protocol" (CN–SU) or "gb-su"


# How each slot's record is made (organisations: see OWNER_OVERRIDES).
SLOT_SPECS: dict[str, Slot] = {
    "cn-internal": Slot("internal", "CN", "protocol"),
    "su-internal": Slot("internal", "SU", "protocol"),
    "bilateral": Slot("bilateral", None, "protocol"),
    "cn-owned": Slot("bilateral", "CN", "protocol"),
    "public": Slot("public", None, "protocol"),
    "gb-su": Slot("bilateral", None, "gb-su"),
}
OWNER_OVERRIDES: dict[tuple[str, str], str] = {
    ("organisations", "bilateral"): "CN",  # a CN institution shared with CN's partners (SU)
    ("organisations", "gb-su"): "GB",  # a GB institution shared with GB's partners (SU)
}

# --- the expected READ rule, as data --------------------------------------------------------------------
# admin: all; a member of party P: public + internal of P + bilateral of agreements P is party to;
# anonymous: public. (Organisations follow the same slots: see the module docstring.)
_ALL = set(SLOTS)
_CN = {"cn-internal", "bilateral", "cn-owned", "public"}
_SU = {"su-internal", "bilateral", "cn-owned", "public", "gb-su"}
_GB = {"public", "gb-su"}
READS: dict[str, set[str]] = {
    "admin": _ALL,
    "cn-coordinator": _CN,
    "cas-reporter": _CN,
    "cn-observer": _CN,
    "su-coordinator": _SU,
    "msu-reporter": _SU,
    "gb-coordinator": _GB,
    "anonymous": {"public"},
}

# --- the expected CHANGE rule, as data ------------------------------------------------------------------
# admin: all; coordinator of P: records P owns + shared records (no owner) of agreements P is party to;
# reporters, observers and the public: nothing (progress reports are not in this matrix).
CHANGES: dict[str, set[str]] = {
    "admin": _ALL,
    "cn-coordinator": {"cn-internal", "bilateral", "cn-owned", "public"},
    "su-coordinator": {"su-internal", "bilateral", "public", "gb-su"},
    "gb-coordinator": {"gb-su"},
    "cas-reporter": set(),
    "msu-reporter": set(),
    "cn-observer": set(),
    "anonymous": set(),
}
# (kind, slot) -> the roles (besides admin) that may change it, where ownership differs from SLOT_SPECS.
CHANGE_OVERRIDES: dict[tuple[str, str], set[str]] = {
    ("organisations", "bilateral"): {"cn-coordinator"},
    ("organisations", "gb-su"): {"gb-coordinator"},
    # An organisation nobody owns is on its party's side (Organisation.party_path): CN's, made for the slot.
    ("organisations", "public"): {"cn-coordinator"},
}

# --- channels ---------------------------------------------------------------------------------------------
# channel -> the kinds it covers. Rule "reads": follows READS; "public": public records only, whoever asks
# (harvesting and persistent-identifier channels are the public's view even for an administrator);
# "changes": follows CHANGES.
_API_KINDS = ("agreements", "plans", "projects", "plan-items", "exchanges", "organisations", "documents")
_OAI_KINDS = ("agreements", "plans", "projects", "organisations")
_OAI_DC_KINDS = (*_OAI_KINDS, "documents")  # published documents are harvested in Dublin Core only
CHANNELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "page-detail": ("reads", KINDS),
    "page-list": ("reads", KINDS),
    "search": ("reads", ("agreements", "plans", "projects", "documents", "organisations")),
    "home": ("public", ("documents",)),  # the portal's communiqués: published ones only, whoever asks
    "api-detail": ("reads", _API_KINDS),
    "api-list": ("reads", _API_KINDS),
    "export-csv": ("reads", ("agreements", "projects", "plan-items", "exchanges", "organisations")),
    "document-file": ("reads", ("documents",)),
    "oai-list": ("public", _OAI_DC_KINDS),
    "oai-get": ("public", _OAI_DC_KINDS),
    "raid": ("public", ("projects",)),
    "page-edit": ("changes", ("agreements", "plans", "projects", "plan-items", "organisations")),
    "api-patch": ("changes", ("plans", "projects", "plan-items")),
}
# Role-independent channels: one case per record. CERIF is written by the system for the public.
SYSTEM_CHANNELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cerif": ("public", _OAI_KINDS),
}
# Per role, one case: the dashboard's project total must count the seed's (all public) projects plus
# exactly the matrix projects the role may read.


def label(kind: str, slot: str) -> str:
    return f"{kind}:{slot}"


def token(kind: str, slot: str) -> str:
    """A word unique to one record, put in its title (or name, objectives, description)."""
    return "zq" + "".join(c for c in kind + slot if c.isalpha())


COMMON_TOKEN = "zqmatrix"


def may_read(role: str, kind: str, slot: str) -> bool:
    return slot in READS[role]


def may_change(role: str, kind: str, slot: str) -> bool:
    if role == "admin":
        return True
    override = CHANGE_OVERRIDES.get((kind, slot))
    if override is not None:
        return role in override
    return slot in CHANGES[role]


def expected(role: str, kind: str, slot: str, rule: str) -> bool:
    if rule == "public":
        return slot == "public"
    if rule == "changes":
        return may_change(role, kind, slot)
    return may_read(role, kind, slot)


@dataclass(frozen=True)
class Case:
    role: str
    kind: str
    slot: str
    channel: str
    allowed: bool

    @property
    def id(self) -> str:
        verdict = "allow" if self.allowed else "deny"
        return f"{self.channel}-{self.role}-{self.kind}-{self.slot}-{verdict}"


def cases() -> list[Case]:
    """Every role × record × channel the channel covers, with its expected outcome."""
    found = []
    for channel, (rule, kinds) in CHANNELS.items():
        for role in ROLES:
            for kind in kinds:
                for slot in SLOTS:
                    found.append(Case(role, kind, slot, channel, expected(role, kind, slot, rule)))
    return found


def system_cases() -> list[Case]:
    return [
        Case("system", kind, slot, channel, expected("anonymous", kind, slot, rule))
        for channel, (rule, kinds) in SYSTEM_CHANNELS.items()
        for kind in kinds
        for slot in SLOTS
    ]


def dashboard_expected(role: str) -> int:
    """The number of matrix projects `role` may read."""
    return sum(1 for slot in SLOTS if may_read(role, "projects", slot))


def self_check() -> None:
    """The table is consistent: nobody changes what they may not read; only the admin reads everything."""
    for role in ROLES:
        for kind in KINDS:
            for slot in SLOTS:
                if may_change(role, kind, slot):
                    assert may_read(role, kind, slot), (role, kind, slot)
    assert all(READS[role] != _ALL for role in ROLES if role != "admin")
