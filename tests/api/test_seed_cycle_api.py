"""The seed's whole cycle through the API alone, from an empty database.

Only the accounts are made outside the API (users, their roles and tokens: account administration, not records):
every record of the cycle — the parties, the 1958 Protocol, people and positions, the 122 projects, the 1959 plan
and its progress, the review, the Moscow meeting, its minutes, the 1960 plan agreed and signed by Wu Heng and
Aleksenko, the communiqué published — is written by HTTP requests with the token of the role that does it in real
life, and the generated communiqué says the seed's facts exactly in Chinese, Russian and English.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from accord.accounts import services as accounts
from accord.agreements.models import Agreement, Signature
from accord.demo.seed import DEMO_PASSPHRASES, MOSCOW, PROJECT_COUNT, TOPICS, _progress_1959, _project_title
from accord.directory.models import Organisation, Party
from accord.programmes.models import Project
from tests.documents.extract import contains
from tests.documents.test_communique import EXPECTED

from .conftest import Api, api_as

pytestmark = pytest.mark.django_db

MEETING_END = "1960-02-24"
TITLES = {
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
CEREMONY = {"en": "the signing ceremony", "zh": "签字仪式", "ru": "церемония подписания"}


def accounts_for_the_cycle() -> dict[str, Api]:
    """The people who run the cycle, each with a token of their role (the parties came through the API)."""
    users = get_user_model().objects
    cn, su = Party.objects.get(code="CN"), Party.objects.get(code="SU")
    cas = Organisation.objects.get(name__en="Chinese Academy of Sciences")
    roles = {
        "cn-coordinator": (cn, "coordinator", None, True),
        "su-coordinator": (su, "coordinator", None, True),
        "cas-reporter": (cn, "reporter", cas, False),
        "cn-observer": (cn, "observer", None, False),
    }
    for name, (party, role, organisation, may_sign) in roles.items():
        accounts.grant(
            users.create_user(username=name, password=f"{name}-pw"),
            party,
            role,
            organisation=organisation,
            may_sign=may_sign,
        )
    return {name: api_as(name) for name in roles}


def test_the_seed_cycle_runs_through_the_api_alone(empty_database):
    get_user_model().objects.create_superuser(username="admin", password="admin-pw", email="")
    admin = api_as("admin")

    # --- the parties (an administrator adds them) ---
    for code, name, languages in (
        (
            "CN",
            {"en": "People's Republic of China", "zh": "中华人民共和国", "ru": "Китайская Народная Республика"},
            ["zh"],
        ),
        (
            "SU",
            {
                "en": "Union of Soviet Socialist Republics",
                "zh": "苏维埃社会主义共和国联盟",
                "ru": "Союз Советских Социалистических Республик",
            },
            ["ru"],
        ),
    ):
        admin.post("/parties", {"code": code, "kind": "state", "name": name, "languages": languages})

    def organisation(who: Api, party: str, kind: str, name: dict[str, str], **extra) -> int:
        return who.post("/organisations", {"party_id": party, "kind": kind, "name": name, **extra}).json()["id"]

    cn_commission = organisation(
        admin,
        "CN",
        "commission",
        {"en": "Scientific and Technological Commission", "zh": "科学技术委员会", "ru": "Научно-техническая комиссия"},
    )
    su_committee = organisation(
        admin,
        "SU",
        "commission",
        {
            "en": "State Scientific and Technological Committee of the USSR Council of Ministers",
            "zh": "苏联部长会议国家科学技术委员会",
            "ru": "Государственный научно-технический комитет Совета Министров СССР",
        },
    )
    organisation(
        admin, "CN", "academy", {"en": "Chinese Academy of Sciences", "zh": "中国科学院", "ru": "Академия наук Китая"}
    )
    who = accounts_for_the_cycle()
    cn, su, reporter, observer = who["cn-coordinator"], who["su-coordinator"], who["cas-reporter"], who["cn-observer"]
    cas = Organisation.objects.get(name__en="Chinese Academy of Sciences").pk

    # --- each side adds its own institutions, and the embassy; the commission's predecessor, dated ---
    embassy = organisation(
        cn,
        "CN",
        "embassy",
        {
            "en": "Embassy of the People's Republic of China in the Soviet Union",
            "zh": "中国驻苏联大使馆",
            "ru": "Посольство Китайской Народной Республики в СССР",
        },
    )
    planning = organisation(
        cn,
        "CN",
        "commission",
        {"en": "Scientific Planning Commission of the State Council", "zh": "国务院科学规划委员会"},
        dissolved_on="1958-11-23",
    )
    cn.post(
        f"/organisations/{planning}/successions", {"successor_id": cn_commission, "kind": "merged", "on": "1958-11-23"}
    )
    tsinghua = organisation(
        cn, "CN", "university", {"en": "Tsinghua University", "zh": "清华大学", "ru": "Университет Цинхуа"}
    )
    ussr_academy = organisation(
        su, "SU", "academy", {"en": "Academy of Sciences of the USSR", "zh": "苏联科学院", "ru": "Академия наук СССР"}
    )
    msu = organisation(
        su,
        "SU",
        "university",
        {"en": "Moscow State University", "zh": "莫斯科国立大学", "ru": "Московский государственный университет"},
    )
    # Neither side files an organisation under the other.
    su.post("/organisations", {"party_id": "CN", "name": {"en": "Not ours"}}, status=403)

    # --- people and their positions (each side its own) ---
    def person(side: Api, party: str, name: dict[str, str], organisation_id: int, key: str) -> int:
        pk = side.post("/people", {"party_id": party, "name": name}).json()["id"]
        side.post(f"/people/{pk}/positions", {"organisation_id": organisation_id, "title": TITLES[key]})
        return pk

    wu_heng = person(cn, "CN", {"zh": "武衡", "en": "Wu Heng", "ru": "У Хэн"}, cn_commission, "wu_heng")
    aleksenko = person(su, "SU", {"zh": "阿列克先科", "en": "Aleksenko", "ru": "Алексенко"}, su_committee, "aleksenko")
    liu_xiao = person(cn, "CN", {"zh": "刘晓", "en": "Liu Xiao", "ru": "Лю Сяо"}, embassy, "liu_xiao")
    petukhov = person(su, "SU", {"zh": "佩图霍夫", "en": "Petukhov", "ru": "Петухов"}, su_committee, "petukhov")
    read = cn.get(f"/people/{wu_heng}").json()
    assert read["name"]["ru"] == "У Хэн" and read["positions"][0]["title"]["zh"] == "科学技术委员会副主任"
    for pk, key in ((wu_heng, "wu_heng"), (aleksenko, "aleksenko")):
        side = cn if key == "wu_heng" else su
        side.post(f"/people/{pk}/signing-key", {"passphrase": DEMO_PASSPHRASES[key]})

    # --- the Protocol of 18 January 1958, with its parties and authentic texts ---
    protocol = cn.post(
        "/agreements",
        {
            "kind": "protocol",
            "title": {
                "en": "Protocol on Joint Scientific and Technological Research by China and the Soviet Union "
                "and Soviet Assistance to China in Major Scientific and Technological Research",
                "zh": "关于中苏两国共同进行和苏联帮助中国进行重大科学技术研究的议定书",
                "ru": "Протокол о совместном проведении Китаем и Советским Союзом и об оказании Советским Союзом "
                "помощи Китаю в проведении важнейших научно-технических исследований",
            },
            "signed_on": "1958-01-18",
            "entry_into_force_on": "1958-01-18",
            "status": "in_force",
            "authentic_languages": ["zh", "ru"],
            "visibility": "public",
            "parties": [
                {
                    "party": "CN",
                    "represented_by": {
                        "en": "the Government of the People's Republic of China",
                        "zh": "中华人民共和国政府",
                    },
                },
                {
                    "party": "SU",
                    "represented_by": {
                        "en": "the Government of the Union of Soviet Socialist Republics",
                        "zh": "苏联政府",
                    },
                },
            ],
        },
    ).json()
    assert [p["code"] for p in protocol["parties"]] == ["CN", "SU"]
    agreement = protocol["id"]
    for language, body in (("zh", "关于中苏两国……的议定书（正文）"), ("ru", "Протокол … (текст)")):
        cn.post(f"/agreements/{agreement}/texts", {"language": language, "body": body})
    assert {t["language"] for t in cn.get(f"/agreements/{agreement}/texts").json()["results"]} == {"zh", "ru"}

    # --- the 122 projects (the seed's count; titles and institutions as the demo makes them) ---
    projects = {}
    for n in range(1, PROJECT_COUNT + 1):
        joint = n % 3 == 0
        body = {
            "agreement_id": agreement,
            "number": str(n),
            "title": _project_title(n),
            "field": TOPICS[(n - 1) % len(TOPICS)][3],
            "modality": "joint" if joint else "assistance",
            "provider_party_id": None if joint else "SU",
            "recipient_party_id": None if joint else "CN",
            "start_on": "1958-01-18",
            "visibility": "public",
            "participations": [
                {"organisation_id": cas if n % 2 else tsinghua, "role": "coordinator"},
                {"organisation_id": ussr_academy if n % 5 else msu, "role": "partner"},
            ],
        }
        projects[n] = admin.post("/projects", body).json()["id"]
    assert len(cn.all("/projects", agreement=agreement)) == PROJECT_COUNT

    # --- the 1959 plan: items, deliverables; proposed, agreed and signed by both sides ---
    plan_1959 = cn.post(
        "/plans",
        {
            "agreement_id": agreement,
            "title": {"en": "1959 cooperation plan", "zh": "1959年合作计划", "ru": "План сотрудничества на 1959 год"},
            "period_start": "1959-01-01",
            "period_end": "1959-12-31",
            "visibility": "public",
        },
    ).json()["id"]
    items = {}
    for n, project in projects.items():
        en, zh, ru, _ = TOPICS[(n - 1) % len(TOPICS)]
        objectives = {
            "en": f"Research and experimental work: {en.lower()}",
            "zh": f"{zh}的科学研究和实验工作",
            "ru": f"Научно-исследовательские и экспериментальные работы: {ru.lower()}",
        }
        items[n] = cn.post(
            "/plan-items", {"plan_id": plan_1959, "project_id": project, "objectives": objectives}
        ).json()["id"]
    cn.post(f"/plan-items/{items[1]}/responsibilities", {"organisation_id": cas})
    su.post(f"/plan-items/{items[1]}/responsibilities", {"organisation_id": ussr_academy})
    report_due = cn.post(
        "/deliverables",
        {
            "plan_item_id": items[1],
            "title": {"en": "Annual research report", "zh": "年度研究报告"},
            "responsible_party_id": "CN",
            "due_on": "1959-12-31",
        },
    ).json()
    # The seed says the 1959 plan was signed, not by whom or when: through the API a signature needs a signatory
    # and a key, so the same two sign it here, on an illustrative date.
    sign_the_plan(cn, su, plan_1959, wu_heng, aleksenko, signed_on="1959-01-20", signed_at=MOSCOW)
    cn.post(
        f"/plans/{plan_1959}/transition", {"to": "in_force"}, status=200, if_match=cn.get(f"/plans/{plan_1959}")["ETag"]
    )

    # --- progress in 1959: the academy's reporter for its projects, the coordinator for the university's ---
    for n, item in items.items():
        status, percent = _progress_1959(n)
        side = reporter if n % 2 else cn
        side.post(
            f"/plan-items/{item}/progress",
            {
                "reporting_organisation_id": cas if n % 2 else tsinghua,
                "period_start": "1959-01-01",
                "period_end": "1959-12-31",
                "status": status,
                "percent": percent,
            },
        )
    # A reporter reports for its own institution only.
    reporter.post(
        f"/plan-items/{items[2]}/progress",
        {
            "reporting_organisation_id": tsinghua,
            "period_start": "1959-01-01",
            "period_end": "1959-12-31",
            "status": "completed",
            "percent": 100,
        },
        status=403,
    )
    assert len(cn.all("/progress-reports", plan=plan_1959)) == PROJECT_COUNT
    cn.post(
        f"/deliverables/{report_due['id']}/delivered",
        {"delivered_on": "1959-12-28"},
        status=200,
        if_match=report_due["version"],
    )

    # --- the 1960 plan drafted from 1959: the unfinished items carried over ---
    plan_1960 = cn.post(
        f"/plans/{plan_1959}/next",
        {
            "period_start": "1960-01-01",
            "period_end": "1960-12-31",
            "title": {
                "en": "1960 annual scientific and technological cooperation plan",
                "zh": "1960年年度科学技术合作计划",
                "ru": "Годовой план научно-технического сотрудничества на 1960 год",
            },
        },
    ).json()["id"]
    proposals = cn.all("/plan-items", plan=plan_1960, carry_over="proposed")
    unfinished = [n for n in projects if _progress_1959(n)[0] != "completed"]
    assert len(proposals) == len(unfinished) > 0
    for proposal in proposals:
        cn.post(f"/plan-items/{proposal['id']}/carry-over", status=200, if_match=proposal["version"])

    # --- the meeting in Moscow: delegations, attendees at the signing ceremony ---
    meeting = cn.post(
        "/meetings",
        {
            "agreement_id": agreement,
            "kind": "delegations",
            "visibility": "public",
            "title": {
                "en": "Meeting of the delegations of the Chinese Scientific and Technological Commission and the State "
                "Scientific and Technological Committee of the USSR Council of Ministers",
                "zh": "中国科学技术委员会和苏联部长会议国家科学技术委员会的代表团会议",
                "ru": "Совещание делегаций Научно-технической комиссии КНР и Государственного научно-технического "
                "комитета Совета Министров СССР",
            },
            "place": MOSCOW,
            "end_on": MEETING_END,
        },
    ).json()["id"]
    cn.post(
        f"/meetings/{meeting}/delegations",
        {
            "party": "CN",
            "organisation_id": cn_commission,
            "members": [{"person_id": wu_heng, "capacity": TITLES["wu_heng"]}],
        },
    )
    cn.post(
        f"/meetings/{meeting}/delegations", {"party": "SU", "organisation_id": su_committee}, status=403
    )  # not its side
    su.post(
        f"/meetings/{meeting}/delegations",
        {
            "party": "SU",
            "organisation_id": su_committee,
            "members": [{"person_id": aleksenko, "capacity": TITLES["aleksenko"]}],
        },
    )
    cn.post(
        f"/meetings/{meeting}/attendees",
        {"person_id": liu_xiao, "party": "CN", "capacity": TITLES["liu_xiao"], "occasion": CEREMONY},
    )
    su.post(
        f"/meetings/{meeting}/attendees",
        {"person_id": petukhov, "party": "SU", "capacity": TITLES["petukhov"], "occasion": CEREMONY},
    )

    # --- the review of 1959 as the meeting saw it, with each side's statement; published ---
    review = cn.post("/reviews", {"plan_id": plan_1959, "as_of": MEETING_END}).json()
    assert review["figures"] and review["status"] == "draft"
    cn.post(
        f"/reviews/{review['id']}/statements",
        {
            "party": "CN",
            "text": {"en": "The sincere and substantial assistance ... is of great significance to China."},
        },
    )
    cn.post(f"/reviews/{review['id']}/statements", {"party": "SU", "text": {"en": "Not ours to say."}}, status=403)
    su.post(
        f"/reviews/{review['id']}/statements",
        {"party": "SU", "text": {"en": "The data and experience obtained from China were also helpful."}},
    )
    review = cn.post(
        f"/reviews/{review['id']}/recompute", status=200, if_match=cn.get(f"/reviews/{review['id']}")["ETag"]
    ).json()
    review = su.post(f"/reviews/{review['id']}/publish", status=200, if_match=review["version"]).json()
    assert review["status"] == "published" and len(review["statements"]) == 2

    # --- the agenda: the review of 1959, the adoption of 1960 ---
    cn.post(
        f"/meetings/{meeting}/agenda-items",
        {
            "kind": "review",
            "plan_id": plan_1959,
            "review_id": review["id"],
            "title": {
                "en": "Results of the implementation of the 1959 cooperation plan",
                "zh": "1959年合作计划的执行结果",
            },
        },
    )
    cn.post(
        f"/meetings/{meeting}/agenda-items",
        {
            "kind": "adoption",
            "plan_id": plan_1960,
            "title": {
                "en": "Discussion and signature of the 1960 annual plan",
                "zh": "商谈和签订1960年年度科学技术合作计划",
            },
        },
    )
    cn.post(
        f"/plans/{plan_1959}/transition", {"to": "reviewed"}, status=200, if_match=cn.get(f"/plans/{plan_1959}")["ETag"]
    )

    # --- the minutes: drafted by the Chinese delegation, amended by the Soviet one, signed off by both ---
    first = cn.post(
        "/minutes",
        {
            "meeting_id": meeting,
            "party": "CN",
            "body": {"zh": "会议纪要。\n一、1959年计划。", "ru": "Протокол совещания.\n1. План на 1959 год."},
        },
    ).json()
    minutes = cn.get("/minutes", meeting=meeting).json()["results"][0]
    assert first["number"] == 1 and minutes["awaiting"] == ["CN", "SU"]
    su.post(
        f"/minutes/{minutes['id']}/revisions",
        {"based_on": 1, "party": "SU", "body": {"ru": "Протокол совещания.\n1. Итоги плана на 1959 год."}},
    )
    stale = cn.post(
        f"/minutes/{minutes['id']}/revisions", {"based_on": 1, "party": "CN", "body": {"zh": "改"}}, status=409
    )
    assert stale.json()["code"] == "stale_revision" and stale.json()["current_revision"] == 2
    diff = cn.get(f"/minutes/{minutes['id']}/compare", a=1, b=2, language="ru").json()
    assert diff["changes"][0]["new"] == ["1. Итоги плана на 1959 год."]
    observer.post(
        f"/minutes/{minutes['id']}/sign-offs", {"party": "CN", "revision": 2, "signed_on": MEETING_END}, status=403
    )
    for side, code, signer in ((cn, "CN", wu_heng), (su, "SU", aleksenko)):
        side.post(
            f"/minutes/{minutes['id']}/sign-offs",
            {"party": code, "revision": 2, "signed_on": MEETING_END, "signed_by_id": signer},
        )
    final = cn.get(f"/minutes/{minutes['id']}").json()
    assert final["status"] == "final" and final["finalised_on"] == MEETING_END
    assert [r["number"] for r in cn.all(f"/minutes/{minutes['id']}/revisions")] == [1, 2]

    # --- the 1960 plan agreed and signed in Moscow on the 24th by Wu Heng and Aleksenko ---
    sign_the_plan(cn, su, plan_1960, wu_heng, aleksenko, signed_on=MEETING_END, signed_at=MOSCOW)
    signed = cn.get(f"/plans/{plan_1960}").json()
    assert signed["status"] == "signed" and signed["signed_on"] == MEETING_END and signed["signed_at"] == MOSCOW
    signatures = cn.all("/signatures", plan=plan_1960)
    assert sorted(s["party"] for s in signatures) == ["CN", "SU"]
    assert {s["signatory_id"] for s in signatures} == {wu_heng, aleksenko}
    for s in signatures:
        assert Api().get(f"/signatures/{s['id']}/verify").json() == {"ok": True, "reason": "", "superseded": False}
    # Signed is frozen: no item added, no deliverable.
    cn.post("/plan-items", {"plan_id": plan_1960, "project_id": projects[1]}, status=409)

    # --- the communiqué: generated in Chinese, Russian and English, approved by both sides, published ---
    for language in ("zh", "ru", "en"):
        document = cn.post(f"/meetings/{meeting}/generate-communique", {"language": language, "format": "html"}).json()
    assert document["status"] == "draft" and document["awaiting"] == ["CN", "SU"]
    observer.post(f"/documents/{document['id']}/approve", {"party": "CN"}, status=403, if_match=document["version"])
    for side, code in ((cn, "CN"), (su, "SU")):
        etag = side.get(f"/documents/{document['id']}")["ETag"]
        side.post(
            f"/documents/{document['id']}/approve",
            {"party": code, "content_sha256": document["content_sha256"]},
            status=200,
            if_match=etag,
        )
    etag = su.get(f"/documents/{document['id']}")["ETag"]
    published = su.post(f"/documents/{document['id']}/publish", status=200, if_match=etag).json()
    assert published["status"] == "published"

    # --- anyone reads it: the seed's facts, exact, in each language ---
    public = Api()
    texts = {t["language"]: t["body"] for t in public.all(f"/documents/{document['id']}/texts")}
    assert set(texts) == {"zh", "ru", "en"}
    for language, facts in EXPECTED.items():
        text = public.get(f"/documents/{document['id']}/texts/{language}").json()["body"]
        assert text == texts[language]
        for key in ("place", "date", "reviewed", "signed", "agreement_date"):
            assert contains(text, facts[key]), (language, key, facts[key])
        for name in [*facts["signatories"], *facts["attendees"]]:
            assert contains(text, name), (language, name)
        assert "122" in text
    files = public.all(f"/documents/{document['id']}/files")
    download = public.client.get(files[0]["download"])
    assert download.status_code == 200 and b"<html" in b"".join(download.streaming_content)

    # Nothing was written but through the API: every record of the cycle is there, once.
    assert Agreement.objects.count() == 1 and Project.objects.count() == PROJECT_COUNT
    assert Signature.objects.filter(signatory__isnull=False).count() == 4


def sign_the_plan(
    cn: Api, su: Api, plan: int, wu_heng: int, aleksenko: int, *, signed_on: str, signed_at: dict
) -> None:
    """Propose, agree by both sides, sign by both signatories with their passphrases."""
    etag = cn.get(f"/plans/{plan}")["ETag"]
    cn.post(f"/plans/{plan}/propose", status=200, if_match=etag)
    for side, code in ((cn, "CN"), (su, "SU")):
        side.post(
            f"/plans/{plan}/approve",
            {"party": code, "approved_on": signed_on},
            status=200,
            if_match=side.get(f"/plans/{plan}")["ETag"],
        )
    wrong = cn.post(
        f"/plans/{plan}/sign",
        {"party": "CN", "signatory_id": wu_heng, "passphrase": "not the passphrase", "signed_on": signed_on},
        status=422,
        if_match=cn.get(f"/plans/{plan}")["ETag"],
    )
    assert wrong.json()["field"] == "passphrase"
    for side, code, person, key in ((cn, "CN", wu_heng, "wu_heng"), (su, "SU", aleksenko, "aleksenko")):
        side.post(
            f"/plans/{plan}/sign",
            {
                "party": code,
                "signatory_id": person,
                "passphrase": DEMO_PASSPHRASES[key],
                "signed_on": signed_on,
                "signed_at": signed_at,
            },
            if_match=side.get(f"/plans/{plan}")["ETag"],
        )
    assert dt.date.fromisoformat(signed_on)
