"""A long plan's PDF is laid out in the background once the plan is signed, and stored by the hash of its
source: a reader then downloads the stored file, and generating it again finds it instead of laying it out."""

from __future__ import annotations

import hashlib

import pytest

from accord.documents import pdf_output
from accord.documents.models import Document
from accord.documents.services import generate_document
from accord.jobs.models import Job
from accord.jobs.runner import run_pending
from tests.signing.conftest import sign_cn, sign_su


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_signing_a_long_plan_lays_out_its_pdf_in_the_background(
    seed, keys, agreed_plan, settings, monkeypatch, media, django_capture_on_commit_callbacks
):
    settings.ACCORD_PREPARE_PDF_ITEMS = 3  # the plan of these tests has 3 items: "long" here
    with django_capture_on_commit_callbacks(execute=True):
        sign_cn(seed, agreed_plan)
    assert not Job.objects.filter(kind="document").exists()  # one signature of two: not signed yet
    with django_capture_on_commit_callbacks(execute=True):
        sign_su(seed, agreed_plan)
    [job] = Job.objects.filter(kind="document")
    assert job.parameters["ref"] == str(agreed_plan.uid) and job.parameters["format"] == "pdf"
    assert job.requested_by is None and job.status == Job.Status.QUEUED  # the system's, nobody waits on it

    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    document = Document.objects.get(plan=agreed_plan, kind="plan_text")
    [stored] = document.files.filter(format="pdf")
    assert (stored.languages, stored.layout) == ("zh+ru", "parallel")
    data = (media / stored.file.name).read_bytes()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == stored.sha256

    # A reader asking for it now gets the stored file: nothing is laid out again.
    def no_layout(*args, **kwargs):
        raise AssertionError("laid out again although the signed plan's PDF is stored")

    monkeypatch.setattr(pdf_output, "write_pdf", no_layout)
    again = generate_document("plan_text", agreed_plan, None, "pdf")
    assert again.data == data and again.rendering.pk == stored.pk


def test_a_short_plan_is_not_laid_out_at_signature(
    seed, keys, agreed_plan, settings, django_capture_on_commit_callbacks
):
    settings.ACCORD_PREPARE_PDF_ITEMS = 4  # the plan has 3 items: laid out when asked, quickly
    with django_capture_on_commit_callbacks(execute=True):
        sign_cn(seed, agreed_plan)
        sign_su(seed, agreed_plan)
    assert not Job.objects.filter(kind="document").exists()


def test_a_signature_refused_queues_nothing(seed, keys, agreed_plan, settings, django_capture_on_commit_callbacks):
    from accord.core.errors import DomainError

    settings.ACCORD_PREPARE_PDF_ITEMS = 1
    sign_cn(seed, agreed_plan)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        sign_su(seed, agreed_plan, passphrase="wrong passphrase")
    assert not Job.objects.filter(kind="document").exists()
