"""The seed programme's facts, exactly as the People's Daily of 26 February 1960 reports them."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from accord.agreements.models import Signature
from accord.agreements.services import signatures_of
from accord.core.models import ChangeRecord
from accord.core.verify import verify
from accord.demo.seed import load_seed
from accord.programmes.models import Exchange, PlanItem, ProgressReport, Project

pytestmark = pytest.mark.django_db


def test_parties_and_commissions(seed):
    assert (seed.cn.code, seed.su.code) == ("CN", "SU")
    assert seed.cn.languages == ["zh"] and seed.su.languages == ["ru"]
    assert seed.cn_commission.name["zh"] == "科学技术委员会"
    assert seed.su_committee.name["zh"] == "苏联部长会议国家科学技术委员会"
    assert (
        seed.su_committee.name["en"] == "State Scientific and Technological Committee of the USSR Council of Ministers"
    )
    assert not seed.cn_commission.is_illustrative and not seed.su_committee.is_illustrative


def test_the_four_people_in_three_scripts_with_their_positions(seed):
    assert seed.wu_heng.name == {"zh": "武衡", "en": "Wu Heng", "ru": "У Хэн"}
    assert seed.aleksenko.name == {"zh": "阿列克先科", "en": "Aleksenko", "ru": "Алексенко"}
    assert seed.liu_xiao.name == {"zh": "刘晓", "en": "Liu Xiao", "ru": "Лю Сяо"}
    assert seed.petukhov.name == {"zh": "佩图霍夫", "en": "Petukhov", "ru": "Петухов"}
    assert seed.wu_heng.positions.get().title["zh"] == "科学技术委员会副主任"
    assert seed.aleksenko.positions.get().title["zh"] == "苏联国家科学技术委员会副主席"
    assert seed.liu_xiao.positions.get().title["zh"] == "中国驻苏联大使"
    assert seed.petukhov.positions.get().title["zh"] == "苏联国家科学技术委员会主席"
    assert seed.liu_xiao.positions.get().organisation == seed.embassy


def test_the_protocol_of_18_january_1958(seed):
    p = seed.protocol
    assert (p.kind, p.signed_on, p.status) == ("protocol", dt.date(1958, 1, 18), "in_force")
    assert p.title["zh"] == "关于中苏两国共同进行和苏联帮助中国进行重大科学技术研究的议定书"
    assert p.authentic_languages == ["zh", "ru"]
    assert [ap.party.code for ap in p.agreement_parties.all()] == ["CN", "SU"]
    assert p.projects.count() == 122
    assert not p.is_illustrative


def test_projects_are_joint_or_soviet_assistance_to_china_and_marked_illustrative(seed):
    projects = Project.objects.filter(agreement=seed.protocol)
    assert set(projects.values_list("modality", flat=True)) == {"joint", "assistance"}
    for p in projects.filter(modality="assistance"):
        assert (p.provider_party, p.recipient_party) == (seed.su, seed.cn)
    assert projects.filter(is_illustrative=False).count() == 0
    assert all(p.participations.count() == 2 for p in projects[:10])


def test_the_1959_plan_was_signed_carried_out_and_reviewed(seed):
    plan = seed.plan_1959
    assert (plan.period_start, plan.period_end, plan.status) == (dt.date(1959, 1, 1), dt.date(1959, 12, 31), "reviewed")
    assert plan.items.count() == 122
    assert ProgressReport.objects.filter(plan_item__plan=plan).count() == 122
    assert {
        s.party.code
        for s in Signature.objects.filter(target_type=ContentType.objects.get_for_model(plan), target_id=plan.pk)
    } == {"CN", "SU"}


def test_the_meeting_that_ended_in_moscow_on_24_february_1960(seed):
    m = seed.meeting
    assert (m.end_on, m.place["en"], m.place["zh"], m.place["ru"]) == (
        dt.date(1960, 2, 24),
        "Moscow",
        "莫斯科",
        "Москва",
    )
    assert m.kind == "delegations"
    assert {d.party.code: d.organisation for d in m.delegations.all()} == {
        "CN": seed.cn_commission,
        "SU": seed.su_committee,
    }
    assert {a.person for a in m.attendees.all()} == {seed.liu_xiao, seed.petukhov}
    assert [(a.kind, a.plan) for a in m.agenda_items.all()] == [
        ("review", seed.plan_1959),
        ("adoption", seed.plan_1960),
    ]


def test_the_1960_plan_signed_there_by_wu_heng_and_aleksenko(seed):
    plan = seed.plan_1960
    assert (plan.status, plan.signed_on, plan.signed_at["en"]) == ("signed", dt.date(1960, 2, 24), "Moscow")
    assert plan.previous == seed.plan_1959
    sigs = {s.party.code: s for s in signatures_of_version(plan)}
    assert (sigs["CN"].signatory, sigs["SU"].signatory) == (seed.wu_heng, seed.aleksenko)
    assert {s.signed_on for s in sigs.values()} == {dt.date(1960, 2, 24)}
    assert not any(s.is_illustrative for s in sigs.values())


def signatures_of_version(plan):
    return Signature.objects.filter(
        target_type=ContentType.objects.get_for_model(plan), target_id=plan.pk, target_version=plan.signed_version
    )


def test_both_parties_agreed_to_the_1960_plan_at_the_meeting(seed):
    approvals = seed.plan_1960.approvals.all()
    assert {(a.party.code, a.approved_on) for a in approvals} == {
        ("CN", dt.date(1960, 2, 24)),
        ("SU", dt.date(1960, 2, 24)),
    }
    assert len({a.plan_version for a in approvals}) == 1


def test_unfinished_1959_items_are_carried_into_1960(seed):
    carried = PlanItem.objects.filter(plan=seed.plan_1960)
    assert carried.count() > 0
    assert set(carried.values_list("carry_over", flat=True)) == {"accepted"}
    for item in carried:
        assert item.carried_over_from.plan == seed.plan_1959
        assert item.carried_over_from.progress_reports.get().status != "completed"
    completed = ProgressReport.objects.filter(plan_item__plan=seed.plan_1959, status="completed").count()
    assert completed + carried.count() == 122


def test_exchanges_go_both_ways_and_shipments_are_confirmed(seed):
    ex = Exchange.objects.filter(agreement=seed.protocol)
    kinds = set(ex.values_list("kind", "from_party__code"))
    assert {
        ("trainee", "CN"),
        ("expert_secondment", "SU"),
        ("data_transfer", "SU"),
        ("data_transfer", "CN"),
        ("sample_shipment", "SU"),
        ("sample_shipment", "CN"),
    } <= kinds
    assert ex.filter(kind__in=["data_transfer", "sample_shipment"], received_on__isnull=False).count() == 3
    assert ex.filter(is_illustrative=False).count() == 0


def test_the_source_is_kept_in_both_languages(seed):
    texts = {t.language: t.body for t in seed.press_report.texts.all()}
    assert "122 major scientific and technological projects" in texts["en"]
    assert "一百二十二项重大科学技术项目" in texts["zh"]
    assert seed.press_report.issued_on == dt.date(1960, 2, 26)


def test_a_second_run_changes_nothing():
    entries = ChangeRecord.objects.count()
    projects = Project.objects.count()
    result = load_seed()
    assert result.created == 0
    assert ChangeRecord.objects.count() == entries and Project.objects.count() == projects


def test_the_seed_is_fully_audited():
    assert verify().ok
    assert ChangeRecord.objects.filter(request_id="seed").exists()


def test_signatures_cover_the_signed_version(seed):
    assert signatures_of(seed.plan_1960).count() == 0  # the current version is past the signed one
    assert signatures_of_version(seed.plan_1960).count() == 2


def test_the_meeting_reviewed_1959_with_both_sides_statements(seed):
    review = seed.review_1959
    assert (review.status, review.as_of, review.plan) == ("published", dt.date(1960, 2, 24), seed.plan_1959)
    assert review.figures["items"]["total"] == 122 and review.figures["agreement_projects"] == 122
    completion = review.figures["completion"]
    assert completion["completed"] + completion["carried_over"] == 122
    assert completion["carried_over"] == seed.plan_1960.items.count()
    statements = {s.party.code: s.text for s in review.statements.all()}
    assert "具有重要的意义" in statements["CN"]["zh"]
    assert "也有帮助" in statements["SU"]["zh"]
    assert seed.meeting.agenda_items.get(kind="review").review == review


def test_the_1960_signatures_are_cryptographic_and_export_as_a_verifiable_bundle(seed):
    from accord.signing.bundle import export_signed, verify_bundle
    from accord.signing.services import verify_signature

    signatures = list(signatures_of_version(seed.plan_1960))
    assert len(signatures) == 2 and all(verify_signature(s) for s in signatures)
    report = verify_bundle(export_signed(seed.plan_1960))
    assert report.ok, report


def test_the_signed_texts_are_kept_byte_for_byte(seed):
    from accord.documents.models import Document
    from accord.signing.models import SignatureSeal

    document = Document.objects.get(kind="plan_text", origin="generated", plan=seed.plan_1960)
    kept = {f.languages: f.sha256 for f in document.files.filter(format="html")}
    seal = SignatureSeal.objects.filter(signature__in=signatures_of_version(seed.plan_1960)).first()
    assert kept == seal.texts == {"zh": kept["zh"], "ru": kept["ru"]}
