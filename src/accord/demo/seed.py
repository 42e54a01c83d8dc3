"""The seed programme: China and the USSR under the Protocol of 18 January 1958, as reported by the
People's Daily on 26 February 1960 (`data/`, English translation and Chinese original).

Facts from the seed are recorded exactly: the parties, the two commissions and the embassy, the four
people and their positions, the Protocol and its date, its 122 projects, the 1959 plan and its review,
the delegations' meeting that ended in Moscow on 24 February 1960, and the 1960 plan signed there by
Wu Heng and Aleksenko with Liu Xiao and Petukhov attending. The seed names no project titles, no
institutes and no exchanges: those are invented to make the programme feel alive and every such record
has is_illustrative=True, shown as "illustrative" in the interface.

Loading is one transaction and keyed on the Protocol's stable id, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from accord.accounts import services as accounts
from accord.accounts.models import Membership
from accord.agreements.models import Agreement, AgreementParty
from accord.agreements.services import create_agreement, record_signature, set_represented_by
from accord.core.ids import stable_uid
from accord.core.journal import add_journal_entry
from accord.core.models import ChangeRecord, Visibility
from accord.directory import services as directory
from accord.directory.models import Organisation, OrganisationSuccession, Party, Person
from accord.documents.models import Document
from accord.documents.services import approve_document, approving_parties, create_document, publish_document
from accord.meetings import services as meetings
from accord.meetings.models import AgendaItem, DelegationMember, Meeting, Review
from accord.meetings.services import reviews
from accord.programmes import services as programmes
from accord.programmes.choices import ExchangeKind, FieldOfScience, Modality, PlanStatus, ProgressStatus, QuantityUnit
from accord.programmes.models import Participation, Plan
from accord.signing import services as signing
from accord.signing.models import SigningKey

DATA = Path(__file__).parent / "data"
PROTOCOL_UID = stable_uid("seed:protocol-1958-01-18")
PROJECT_COUNT = 122  # "the joint resolution of 122 major scientific and technological projects"
MEETING_END = dt.date(1960, 2, 24)
MOSCOW = {"en": "Moscow", "zh": "莫斯科", "ru": "Москва"}
# Demo only, listed in the README: the administrator (remove with `accord demo --remove-accounts`) and the
# signatories' key passphrases, so a newcomer can sign and export.
DEMO_ADMIN = ("admin", "accord-demo-admin")
# One account per role (username, password, role, party code, institution's seed key, designated signatory).
DEMO_MEMBERS = (
    ("cn-coordinator", "accord-demo-cn-coordinator", "coordinator", "CN", None, True),
    ("su-coordinator", "accord-demo-su-coordinator", "coordinator", "SU", None, True),
    ("cas-reporter", "accord-demo-cas-reporter", "reporter", "CN", "seed:org:cas", False),
    ("msu-reporter", "accord-demo-msu-reporter", "reporter", "SU", "seed:org:msu", False),
    ("cn-observer", "accord-demo-cn-observer", "observer", "CN", None, False),
)
DEMO_PASSPHRASES = {"wu_heng": "wu-heng-demo-passphrase", "aleksenko": "aleksenko-demo-passphrase"}


@dataclass
class SeedResult:
    created: int = 0
    accounts: list[str] = field(default_factory=list)


# Illustrative project topics (the seed names none): en, zh, ru, OECD field.
TOPICS = [
    (
        "Geological survey of mineral resources",
        "矿产资源地质调查",
        "Геологическое изучение минеральных ресурсов",
        FieldOfScience.EARTH,
    ),
    (
        "Semiconductor materials and devices",
        "半导体材料和器件",
        "Полупроводниковые материалы и приборы",
        FieldOfScience.ELECTRICAL,
    ),
    (
        "Automation of industrial processes",
        "工业生产过程自动化",
        "Автоматизация производственных процессов",
        FieldOfScience.ELECTRICAL,
    ),
    (
        "Radioisotopes in industry and medicine",
        "放射性同位素在工业和医学中的应用",
        "Радиоизотопы в промышленности и медицине",
        FieldOfScience.PHYSICAL,
    ),
    ("Synthetic polymers", "高分子合成材料", "Синтетические полимеры", FieldOfScience.CHEMICAL),
    ("Hydraulic engineering of large rivers", "大江大河水利工程", "Гидротехника крупных рек", FieldOfScience.CIVIL),
    ("Soil improvement and fertilisers", "土壤改良与肥料", "Мелиорация почв и удобрения", FieldOfScience.AGRICULTURE),
    (
        "Computing machines and numerical mathematics",
        "计算机与计算数学",
        "Вычислительные машины и вычислительная математика",
        FieldOfScience.MATHEMATICS,
    ),
    ("Metallurgy of rare metals", "稀有金属冶金", "Металлургия редких металлов", FieldOfScience.MATERIALS),
    (
        "Petroleum geology and refining",
        "石油地质与炼制",
        "Геология и переработка нефти",
        FieldOfScience.CHEMICAL_ENGINEERING,
    ),
    ("Production of antibiotics", "抗生素生产", "Производство антибиотиков", FieldOfScience.MEDICAL_BIOTECH),
    ("Plant protection", "植物保护", "Защита растений", FieldOfScience.AGRICULTURE),
    (
        "Seismology and earthquake-resistant construction",
        "地震学与抗震建筑",
        "Сейсмология и сейсмостойкое строительство",
        FieldOfScience.EARTH,
    ),
    (
        "Radio electronics and communications",
        "无线电电子学与通信",
        "Радиоэлектроника и связь",
        FieldOfScience.ELECTRICAL,
    ),
    ("Mechanisation of coal mining", "煤矿开采机械化", "Механизация угледобычи", FieldOfScience.MECHANICAL),
    (
        "Forestry and timber processing",
        "林业与木材加工",
        "Лесное хозяйство и деревообработка",
        FieldOfScience.AGRICULTURE,
    ),
    (
        "Oceanography of the western Pacific",
        "西太平洋海洋学",
        "Океанология западной части Тихого океана",
        FieldOfScience.EARTH,
    ),
    ("Veterinary vaccines", "兽用疫苗", "Ветеринарные вакцины", FieldOfScience.VETERINARY),
    ("Electric power systems", "电力系统", "Электроэнергетические системы", FieldOfScience.ELECTRICAL),
    ("Machine tools and precision instruments", "机床与精密仪器", "Станки и точные приборы", FieldOfScience.MECHANICAL),
    ("Control of infectious diseases", "传染病防治", "Борьба с инфекционными болезнями", FieldOfScience.HEALTH),
    ("Catalysis and petrochemistry", "催化与石油化学", "Катализ и нефтехимия", FieldOfScience.CHEMICAL),
]


def _project_title(n: int) -> dict[str, str]:
    en, zh, ru, _ = TOPICS[(n - 1) % len(TOPICS)]
    part = (n - 1) // len(TOPICS) + 1
    return {"en": f"{en}, part {part}", "zh": f"{zh}（第{part}部分）", "ru": f"{ru}, часть {part}"}


def _progress_1959(n: int) -> tuple[str, int]:
    """Illustrative outcome of project n in 1959: most completed, some delayed or still running."""
    if n % 4 == 0:
        return ProgressStatus.DELAYED, 55
    if n % 10 == 7:
        return ProgressStatus.ON_TRACK, 80
    return ProgressStatus.COMPLETED, 100


def _party(code: str, **fields) -> Party:
    existing = Party.objects.filter(code=code).first()
    return existing or directory.create_party(code=code, uid=stable_uid(f"seed:party:{code}"), **fields)


@transaction.atomic
def load_seed() -> SeedResult:
    result = SeedResult()
    if not Agreement.objects.filter(uid=PROTOCOL_UID).exists():
        before = ChangeRecord.objects.count()
        _load()
        result.created = ChangeRecord.objects.count() - before
    result.accounts = _demo_accounts()
    return result


def seed_handles() -> SimpleNamespace:
    """The seed's main records by their stable ids (for tests, and for code that builds on the demo): one query a
    kind of record, as every test that uses the seed asks for them."""
    keys = {
        Plan: {"plan_1959": "seed:plan:1959", "plan_1960": "seed:plan:1960"},
        Meeting: {"meeting": "seed:meeting:1960-02"},
        Organisation: {
            "cn_commission": "seed:org:cn-stc",
            "su_committee": "seed:org:su-gntk",
            "embassy": "seed:org:cn-embassy-moscow",
            "cas": "seed:org:cas",
            "tsinghua": "seed:org:tsinghua",
            "ussr_academy": "seed:org:ussr-academy",
            "msu": "seed:org:msu",
        },
        Person: {
            "wu_heng": "seed:person:wu-heng",
            "aleksenko": "seed:person:aleksenko",
            "liu_xiao": "seed:person:liu-xiao",
            "petukhov": "seed:person:petukhov",
        },
        Document: {"press_report": "seed:document:people-daily-1960-02-26"},
    }
    handles: dict[str, Any] = {}
    for model, names in keys.items():
        uids = {name: stable_uid(key) for name, key in names.items()}
        by_uid = {r.uid: r for r in model._default_manager.filter(uid__in=uids.values())}
        for name, uid in uids.items():
            if uid not in by_uid:
                raise model.DoesNotExist(f"the seed's {names[name]} is not in the database (accord demo loads it)")
            handles[name] = by_uid[uid]
    parties = {p.code: p for p in Party.objects.filter(code__in=["CN", "SU"])}
    return SimpleNamespace(
        cn=parties["CN"],
        su=parties["SU"],
        protocol=Agreement.objects.get(uid=PROTOCOL_UID),
        **handles,
        review_1959=Review.objects.filter(plan=handles["plan_1959"]).first(),
    )


@transaction.atomic
def remove_demo_accounts() -> int:
    """Delete the demo accounts and their roles (audited); the records they made stay, attributed by name."""
    names = [DEMO_ADMIN[0], *(m[0] for m in DEMO_MEMBERS)]
    users = list(get_user_model().objects.filter(username__in=names))
    for membership in Membership.objects.filter(user__in=users):
        accounts.revoke_membership(membership)
    return get_user_model().objects.filter(pk__in=[u.pk for u in users]).delete()[0]


@transaction.atomic
def _demo_accounts() -> list[str]:
    user_model = get_user_model()
    made = []
    username, password = DEMO_ADMIN
    if not user_model.objects.filter(username=username).exists():
        user_model.objects.create_superuser(username=username, password=password, email="")
        made.append(f"Demo administrator created: {username} / {password}")
    for username, password, role, party_code, org_key, may_sign in DEMO_MEMBERS:
        if user_model.objects.filter(username=username).exists():
            continue
        user = user_model.objects.create_user(username=username, password=password, email="")
        organisation = Organisation.objects.get(uid=stable_uid(org_key)) if org_key else None
        accounts.grant(user, Party.objects.get(code=party_code), role, organisation=organisation, may_sign=may_sign)
        made.append(f"Demo {role} ({party_code}) created: {username} / {password}")
    if made:
        made.append("These accounts are for trying Accord only: remove them with `accord demo --remove-accounts`.")
    return made


def _load() -> None:
    public, bilateral = Visibility.PUBLIC, Visibility.BILATERAL

    # --- parties and organisations (seed) ---
    cn = _party(
        "CN",
        name={"en": "People's Republic of China", "zh": "中华人民共和国", "ru": "Китайская Народная Республика"},
        languages=["zh"],
    )
    su = _party(
        "SU",
        name={
            "en": "Union of Soviet Socialist Republics",
            "zh": "苏维埃社会主义共和国联盟",
            "ru": "Союз Советских Социалистических Республик",
        },
        languages=["ru"],
    )
    cn_commission = directory.create_organisation(
        uid=stable_uid("seed:org:cn-stc"),
        party=cn,
        kind=Organisation.Kind.COMMISSION,
        name={
            "en": "Scientific and Technological Commission",
            "zh": "科学技术委员会",
            "ru": "Научно-техническая комиссия",
        },
        aliases=["Chinese Scientific and Technological Commission", "中国科学技术委员会"],
    )
    su_committee = directory.create_organisation(
        uid=stable_uid("seed:org:su-gntk"),
        party=su,
        kind=Organisation.Kind.COMMISSION,
        name={
            "en": "State Scientific and Technological Committee of the USSR Council of Ministers",
            "zh": "苏联部长会议国家科学技术委员会",
            "ru": "Государственный научно-технический комитет Совета Министров СССР",
        },
        aliases=["Soviet State Scientific and Technological Committee", "苏联国家科学技术委员会", "ГНТК СССР"],
    )
    embassy = directory.create_organisation(
        uid=stable_uid("seed:org:cn-embassy-moscow"),
        party=cn,
        kind=Organisation.Kind.EMBASSY,
        name={
            "en": "Embassy of the People's Republic of China in the Soviet Union",
            "zh": "中国驻苏联大使馆",
            "ru": "Посольство Китайской Народной Республики в СССР",
        },
    )
    # Illustrative history (not in the seed): the commission's predecessor, to show dated names and succession.
    planning = directory.create_organisation(
        uid=stable_uid("seed:org:cn-planning"),
        party=cn,
        kind=Organisation.Kind.COMMISSION,
        is_illustrative=True,
        name={
            "en": "Scientific Planning Commission of the State Council",
            "zh": "国务院科学规划委员会",
            "ru": "Комиссия по планированию науки при Государственном совете",
        },
        dissolved_on=dt.date(1958, 11, 23),
    )
    directory.record_succession(
        planning, cn_commission, OrganisationSuccession.Kind.MERGED, on=dt.date(1958, 11, 23), is_illustrative=True
    )

    # --- people and positions (seed) ---
    wu_heng = directory.create_person(
        uid=stable_uid("seed:person:wu-heng"), party=cn, name={"zh": "武衡", "en": "Wu Heng", "ru": "У Хэн"}
    )
    aleksenko = directory.create_person(
        uid=stable_uid("seed:person:aleksenko"),
        party=su,
        name={"zh": "阿列克先科", "en": "Aleksenko", "ru": "Алексенко"},
    )
    liu_xiao = directory.create_person(
        uid=stable_uid("seed:person:liu-xiao"), party=cn, name={"zh": "刘晓", "en": "Liu Xiao", "ru": "Лю Сяо"}
    )
    petukhov = directory.create_person(
        uid=stable_uid("seed:person:petukhov"), party=su, name={"zh": "佩图霍夫", "en": "Petukhov", "ru": "Петухов"}
    )
    titles = {
        "wu_heng": {
            "en": "Vice Chairman of the Scientific and Technological Commission",
            "zh": "科学技术委员会副主任",
            "ru": "заместитель председателя Научно-технической комиссии",
        },
        "aleksenko": {
            "en": "Vice Chairman of the State Scientific and Technological Committee of the USSR Council of Ministers",
            "zh": "苏联国家科学技术委员会副主席",
            "ru": "заместитель председателя Государственного научно-технического комитета Совета Министров СССР",
        },
        "liu_xiao": {"en": "Chinese Ambassador to the Soviet Union", "zh": "中国驻苏联大使", "ru": "Посол КНР в СССР"},
        "petukhov": {
            "en": "Chairman of the State Scientific and Technological Committee of the USSR Council of Ministers",
            "zh": "苏联国家科学技术委员会主席",
            "ru": "председатель Государственного научно-технического комитета Совета Министров СССР",
        },
    }
    directory.add_position(wu_heng, cn_commission, titles["wu_heng"])
    directory.add_position(aleksenko, su_committee, titles["aleksenko"])
    directory.add_position(liu_xiao, embassy, titles["liu_xiao"])
    directory.add_position(petukhov, su_committee, titles["petukhov"])

    # --- the Protocol (seed) ---
    protocol = create_agreement(
        uid=PROTOCOL_UID,
        parties=[(cn, AgreementParty.Role.SIGNATORY), (su, AgreementParty.Role.SIGNATORY)],
        kind=Agreement.Kind.PROTOCOL,
        title={
            "en": "Protocol on Joint Scientific and Technological Research by China and the Soviet Union and Soviet "
            "Assistance to China in Major Scientific and Technological Research",
            "zh": "关于中苏两国共同进行和苏联帮助中国进行重大科学技术研究的议定书",
            "ru": "Протокол о совместном проведении Китаем и Советским Союзом и об оказании Советским Союзом помощи "
            "Китаю в проведении важнейших научно-технических исследований",
        },
        short_title={
            "en": "Sino-Soviet Protocol on S&T Research (1958)",
            "zh": "中苏重大科学技术研究议定书（1958年）",
            "ru": "Советско-китайский протокол о научно-технических исследованиях (1958)",
        },
        signed_on=dt.date(1958, 1, 18),
        entry_into_force_on=dt.date(1958, 1, 18),
        status=Agreement.Status.IN_FORCE,
        authentic_languages=["zh", "ru"],
        visibility=public,
    )
    for ap in protocol.agreement_parties.select_related("party"):
        represented = {
            "CN": {
                "en": "the Government of the People's Republic of China",
                "zh": "中华人民共和国政府",
                "ru": "Правительство Китайской Народной Республики",
            },
            "SU": {
                "en": "the Government of the Union of Soviet Socialist Republics",
                "zh": "苏联政府",
                "ru": "Правительство Союза Советских Социалистических Республик",
            },
        }[ap.party.code]
        set_represented_by(ap, represented, expected_version=ap.version)

    # --- institutes taking part (illustrative: the seed names none) ---
    def institute(key: str, party: Party, kind: str, name: dict[str, str]) -> Organisation:
        return directory.create_organisation(
            uid=stable_uid(f"seed:org:{key}"), party=party, kind=kind, name=name, is_illustrative=True
        )

    cas = institute(
        "cas",
        cn,
        Organisation.Kind.ACADEMY,
        {"en": "Chinese Academy of Sciences", "zh": "中国科学院", "ru": "Академия наук Китая"},
    )
    tsinghua = institute(
        "tsinghua",
        cn,
        Organisation.Kind.UNIVERSITY,
        {"en": "Tsinghua University", "zh": "清华大学", "ru": "Университет Цинхуа"},
    )
    ussr_academy = institute(
        "ussr-academy",
        su,
        Organisation.Kind.ACADEMY,
        {"en": "Academy of Sciences of the USSR", "zh": "苏联科学院", "ru": "Академия наук СССР"},
    )
    msu = institute(
        "msu",
        su,
        Organisation.Kind.UNIVERSITY,
        {"en": "Moscow State University", "zh": "莫斯科国立大学", "ru": "Московский государственный университет"},
    )

    # --- the 122 projects (count from the seed; titles, fields, modalities and participants illustrative) ---
    projects = []
    for n in range(1, PROJECT_COUNT + 1):
        joint = n % 3 == 0
        cn_org = cas if n % 2 else tsinghua
        su_org = ussr_academy if n % 5 else msu
        projects.append(
            programmes.create_project(
                uid=stable_uid(f"seed:project:{n}"),
                agreement=protocol,
                number=str(n),
                title=_project_title(n),
                field=TOPICS[(n - 1) % len(TOPICS)][3],
                modality=Modality.JOINT if joint else Modality.ASSISTANCE,
                provider_party=None if joint else su,
                recipient_party=None if joint else cn,
                start_on=dt.date(1958, 1, 18),
                visibility=public,
                is_illustrative=True,
                participations=[(cn_org, cn, Participation.Role.COORDINATOR), (su_org, su, Participation.Role.PARTNER)],
            )
        )

    # --- the 1959 plan: signed, in force, carried out, reviewed (seed); its items illustrative ---
    plan_1959 = programmes.create_plan(
        uid=stable_uid("seed:plan:1959"),
        agreement=protocol,
        kind=Plan.Kind.ANNUAL,
        visibility=public,
        title={"en": "1959 cooperation plan", "zh": "1959年合作计划", "ru": "План сотрудничества на 1959 год"},
        period_start=dt.date(1959, 1, 1),
        period_end=dt.date(1959, 12, 31),
    )
    items_1959 = {}
    for n, project in enumerate(projects, start=1):
        en, zh, ru, _ = TOPICS[(n - 1) % len(TOPICS)]
        item = programmes.add_plan_item(
            plan_1959,
            project,
            position=n,  # public and illustrative as its plan and its project
            objectives={
                "en": f"Research and experimental work: {en.lower()}",
                "zh": f"{zh}的科学研究和实验工作",
                "ru": f"Научно-исследовательские и экспериментальные работы: {ru.lower()}",
            },
        )
        cn_participation = project.participations.get(side=cn)
        programmes.add_responsibility(item, cn_participation.organisation)
        programmes.add_responsibility(item, project.participations.get(side=su).organisation)
        programmes.add_deliverable(
            item,
            kind="report",
            responsible_party=cn,
            due_on=dt.date(1959, 12, 31),
            title={"en": "Annual research report", "zh": "年度研究报告", "ru": "Годовой научный отчёт"},
        )
        items_1959[n] = item
    plan_1959 = programmes.transition_plan(plan_1959, PlanStatus.PROPOSED, expected_version=plan_1959.version)
    for party in (cn, su):  # agreed by both sides; when, the seed does not say
        programmes.approve_plan(plan_1959, party=party, expected_version=plan_1959.version, approved_on=None)
    # The seed says the 1959 plan existed and was carried out; who signed it, and when, it does not say.
    for party in (cn, su):
        record_signature(plan_1959, party=party, signatory=None, signed_on=None)
    for to in (PlanStatus.SIGNED, PlanStatus.IN_FORCE):
        plan_1959 = programmes.transition_plan(plan_1959, to, expected_version=plan_1959.version)

    # Progress in 1959 (illustrative), reported by the Chinese coordinating institute of each project.
    for n, item in items_1959.items():
        status, percent = _progress_1959(n)
        coordinator = item.project.participations.get(side=cn).organisation
        programmes.record_progress(
            item,
            reporting_organisation=coordinator,
            period_start=dt.date(1959, 1, 1),
            period_end=dt.date(1959, 12, 31),
            status=status,
            percent=percent,
            narrative={
                "en": {
                    "completed": "Work of the year completed.",
                    "delayed": "Behind schedule; continues in 1960.",
                    "on_track": "Under way as planned; continues in 1960.",
                }[status]
            },
        )

    # --- exchanges (illustrative), both directions ---
    exchanges: list[dict[str, Any]] = [
        dict(
            kind=ExchangeKind.EXPERT_SECONDMENT,
            from_party=su,
            to_party=cn,
            sending_organisation=ussr_academy,
            receiving_organisation=cas,
            quantity=Decimal(12),
            unit=QuantityUnit.PERSONS,
            start_on=dt.date(1959, 3, 1),
            end_on=dt.date(1959, 12, 20),
            description={
                "en": "Soviet experts seconded to help with research",
                "zh": "苏联专家帮助开展科学研究",
                "ru": "Командирование советских специалистов для помощи в исследованиях",
            },
        ),
        dict(
            kind=ExchangeKind.TRAINEE,
            from_party=cn,
            to_party=su,
            sending_organisation=tsinghua,
            receiving_organisation=msu,
            quantity=Decimal(25),
            unit=QuantityUnit.PERSONS,
            start_on=dt.date(1959, 9, 1),
            end_on=dt.date(1960, 6, 30),
            description={
                "en": "Chinese trainees in Soviet institutes",
                "zh": "中国实习生在苏联研究机构进修",
                "ru": "Стажировка китайских специалистов в советских институтах",
            },
        ),
        dict(
            kind=ExchangeKind.DATA_TRANSFER,
            from_party=su,
            to_party=cn,
            sending_organisation=su_committee,
            receiving_organisation=cn_commission,
            quantity=Decimal(340),
            unit=QuantityUnit.DOCUMENTS,
            sent_on=dt.date(1959, 5, 12),
            sent_reference="GNTK-59/117",
            description={
                "en": "Scientific and technological documentation",
                "zh": "科学技术资料",
                "ru": "Научно-техническая документация",
            },
        ),
        dict(
            kind=ExchangeKind.SAMPLE_SHIPMENT,
            from_party=su,
            to_party=cn,
            sending_organisation=ussr_academy,
            receiving_organisation=cas,
            quantity=Decimal(56),
            unit=QuantityUnit.SAMPLES,
            sent_on=dt.date(1959, 10, 5),
            sent_reference="AN-59/882",
            description={
                "en": "Samples of materials and instruments",
                "zh": "材料和仪器样品",
                "ru": "Образцы материалов и приборов",
            },
        ),
        dict(
            kind=ExchangeKind.DATA_TRANSFER,
            from_party=cn,
            to_party=su,
            sending_organisation=cn_commission,
            receiving_organisation=su_committee,
            quantity=Decimal(48),
            unit=QuantityUnit.DOCUMENTS,
            sent_on=dt.date(1959, 11, 20),
            sent_reference="STC-59/064",
            description={
                "en": "Scientific and technological data and experience",
                "zh": "科学技术资料和经验",
                "ru": "Научно-технические материалы и опыт",
            },
        ),
        dict(
            kind=ExchangeKind.SAMPLE_SHIPMENT,
            from_party=cn,
            to_party=su,
            sending_organisation=cas,
            receiving_organisation=ussr_academy,
            quantity=Decimal(30),
            unit=QuantityUnit.SAMPLES,
            sent_on=dt.date(1960, 1, 15),
            sent_reference="CAS-60/003",
            description={"en": "Mineral and soil samples", "zh": "矿物和土壤样品", "ru": "Образцы минералов и почв"},
        ),
    ]
    recorded = [
        programmes.record_exchange(
            agreement=protocol, project=projects[i], visibility=bilateral, is_illustrative=True, **spec
        )
        for i, spec in enumerate(exchanges)
    ]
    receipts = {
        2: (dt.date(1959, 6, 2), "CN-REC-59/201"),
        3: (dt.date(1959, 11, 14), "CN-PERMIT-59/77"),
        4: (dt.date(1959, 12, 18), "SU-REC-59/512"),
    }
    for index, (received_on, reference) in receipts.items():
        ex = recorded[index]
        programmes.confirm_receipt(ex, received_on=received_on, reference=reference, expected_version=ex.version)
    add_journal_entry(
        recorded[5],
        text="Samples held at the border for customs clearance; receipt not yet confirmed.",
        occurred_on=dt.date(1960, 2, 10),
        owner_party=cn,
        visibility=Visibility.INTERNAL,
        is_illustrative=True,
    )

    # --- the 1960 plan (seed: discussed and signed at the meeting); unfinished 1959 items carried over ---
    plan_1960 = programmes.draft_next_plan(
        plan_1959,
        uid=stable_uid("seed:plan:1960"),
        kind=Plan.Kind.ANNUAL,
        visibility=public,
        title={
            "en": "1960 annual scientific and technological cooperation plan",
            "zh": "1960年年度科学技术合作计划",
            "ru": "Годовой план научно-технического сотрудничества на 1960 год",
        },
        period_start=dt.date(1960, 1, 1),
        period_end=dt.date(1960, 12, 31),
    )
    for proposal in plan_1960.items.all():
        programmes.accept_carry_over(proposal, expected_version=proposal.version)

    # --- the meeting (seed) ---
    meeting = meetings.create_meeting(
        uid=stable_uid("seed:meeting:1960-02"),
        agreement=protocol,
        kind=Meeting.Kind.DELEGATIONS,
        visibility=public,
        title={
            "en": "Meeting of the delegations of the Chinese Scientific and Technological Commission and the State "
            "Scientific and Technological Committee of the USSR Council of Ministers",
            "zh": "中国科学技术委员会和苏联部长会议国家科学技术委员会的代表团会议",
            "ru": "Совещание делегаций Научно-технической комиссии КНР и Государственного научно-технического "
            "комитета Совета Министров СССР",
        },
        place=MOSCOW,
        start_on=None,
        end_on=MEETING_END,
    )
    # Who headed each delegation the seed does not say: the signatories are recorded as members.
    meetings.add_delegation(
        meeting, cn, organisation=cn_commission, members=[(wu_heng, DelegationMember.Role.MEMBER, titles["wu_heng"])]
    )
    meetings.add_delegation(
        meeting, su, organisation=su_committee, members=[(aleksenko, DelegationMember.Role.MEMBER, titles["aleksenko"])]
    )
    ceremony = {"en": "the signing ceremony", "zh": "签字仪式", "ru": "церемония подписания"}
    meetings.add_attendee(meeting, liu_xiao, party=cn, capacity=titles["liu_xiao"], occasion=ceremony)
    meetings.add_attendee(meeting, petukhov, party=su, capacity=titles["petukhov"], occasion=ceremony)
    # The review of 1959 as the meeting saw it, with what each side said (both statements are in the seed).
    review_1959 = reviews.create_review(plan_1959, MEETING_END)  # public as its plan, once published
    reviews.add_statement(
        review_1959,
        cn,
        {
            "en": "The sincere and substantial assistance provided by relevant Soviet departments, Soviet scientists "
            "and experts in helping China carry out scientific research, in helping China train scientific and "
            "technological cadres, and in providing China with scientific and technological data and samples "
            "is of great significance to China.",
            "zh": "苏联有关部门、苏联科学家和专家在帮助中国进行科学研究工作方面，在帮助中国培养科学技术干部方面，"
            "在向中国提供科学技术资料和样品方面所给予的真诚的大量的援助，对中国具有重要的意义。",
        },
    )
    reviews.add_statement(
        review_1959,
        su,
        {
            "en": "The scientific and technological data and experience obtained from relevant Chinese departments "
            "were also helpful to the scientific research work of relevant Soviet departments.",
            "zh": "从中国有关部门取得的科学技术资料和经验对苏联有关部门的科学研究工作也有帮助。",
        },
    )
    review_1959 = reviews.publish_review(review_1959, expected_version=review_1959.version)
    meetings.add_agenda_item(
        meeting,
        kind=AgendaItem.Kind.REVIEW,
        plan=plan_1959,
        review=review_1959,
        title={
            "en": "Results of the implementation of the 1959 cooperation plan",
            "zh": "1959年合作计划的执行结果",
            "ru": "Итоги выполнения плана сотрудничества на 1959 год",
        },
    )
    meetings.add_agenda_item(
        meeting,
        kind=AgendaItem.Kind.ADOPTION,
        plan=plan_1960,
        title={
            "en": "Discussion and signature of the 1960 annual plan",
            "zh": "商谈和签订1960年年度科学技术合作计划",
            "ru": "Обсуждение и подписание годового плана на 1960 год",
        },
        decision={
            "en": "The 1960 annual scientific and technological cooperation plan was signed.",
            "zh": "签订了1960年年度科学技术合作计划。",
            "ru": "Годовой план научно-технического сотрудничества на 1960 год подписан.",
        },
    )
    plan_1959 = programmes.transition_plan(plan_1959, PlanStatus.REVIEWED, expected_version=plan_1959.version)

    # The 1960 plan, discussed at the meeting and signed by Wu Heng and Aleksenko in Moscow on 24 February 1960.
    plan_1960 = programmes.transition_plan(plan_1960, PlanStatus.PROPOSED, expected_version=plan_1960.version)
    for party in (cn, su):
        programmes.approve_plan(plan_1960, party=party, expected_version=plan_1960.version, approved_on=MEETING_END)
    # Signed with Ed25519 keys made for the demo (passphrases in DEMO_PASSPHRASES), over the plan's canonical
    # content and its rendered Chinese and Russian texts; the second signature makes the plan signed.
    texts = signing.rendered_texts(plan_1960)
    for party, person, key in ((cn, wu_heng, "wu_heng"), (su, aleksenko, "aleksenko")):
        if not SigningKey.objects.filter(person=person, revoked_on=None).exists():
            signing.create_signing_key(person, DEMO_PASSPHRASES[key])
        signing.sign_plan(
            plan_1960,
            party=party,
            signatory=person,
            passphrase=DEMO_PASSPHRASES[key],
            texts=texts,
            signed_on=MEETING_END,
            signed_at=MOSCOW,
            capacity=titles[key],
        )

    # --- the source itself: the People's Daily report, in both of its languages ---
    press_report = create_document(
        uid=stable_uid("seed:document:people-daily-1960-02-26"),
        kind=Document.Kind.PRESS_REPORT,
        agreement=protocol,
        meeting=meeting,
        plan=plan_1960,
        issued_on=dt.date(1960, 2, 26),
        source="People's Daily (人民日报), 26 February 1960, page 5; Xinhua, Moscow, 25 February",
        title={
            "en": "China and the Soviet Union sign this year's scientific and technological cooperation plan",
            "zh": "中苏签订今年科技合作计划",
        },
        texts={
            lang: (DATA / f"people-daily-1960-02-26.{lang}.txt").read_text(encoding="utf-8") for lang in ("en", "zh")
        },
    )
    _publish_documents([*Document.objects.filter(plan=plan_1960, kind=Document.Kind.PLAN_TEXT), press_report])


def _publish_documents(documents: list[Document]) -> None:
    """The signed 1960 plan's texts and the People's Daily report were published by both sides: each party
    approves the text (on the day of signing), then it is published (the day of the report); documents start
    as drafts."""
    approved = dt.datetime.combine(MEETING_END, dt.time(12), dt.UTC)
    published = dt.datetime(1960, 2, 26, 6, tzinfo=dt.UTC)
    for document in documents:
        for party in approving_parties(document):
            approve_document(document, party, approved_at=approved)
        publish_document(document, published_at=published)
