"""Core reads what each model declares (its path to the agreement, its searched texts): it names no domain model."""

import pytest
from django.apps import apps
from django.db.models import ForeignKey

from accord.agreements.models import Agreement, AgreementParty
from accord.core.search import searchable_models, texts_of
from accord.core.visibility import agreement_path

pytestmark = pytest.mark.django_db


def follow(model, path):
    """The model a lookup path ends at, step by step through foreign keys."""
    for step in path.split("__"):
        field = model._meta.get_field(step)
        assert isinstance(field, ForeignKey), f"{model._meta.label}: {step} is not a foreign key"
        model = field.related_model
    return model


def test_every_declared_agreement_path_leads_to_an_agreement():
    declared = {m: agreement_path(m) for m in apps.get_models() if agreement_path(m) is not None}
    assert agreement_path(Agreement) == "" and agreement_path(AgreementParty) == "agreement"
    assert len(declared) >= 25  # agreements, programmes, meetings, minutes, reviews, documents
    for model, path in declared.items():
        assert (path == "" and model is Agreement) or follow(model, path) is Agreement, model._meta.label


def test_every_record_with_a_foreign_key_to_an_agreement_declares_its_path():
    """A new record kind under an agreement that forgets its declaration would be visible only as public."""
    for model in apps.get_models():
        if not any(f.name == "visibility" for f in model._meta.concrete_fields):
            continue
        fks = [f for f in model._meta.concrete_fields if isinstance(f, ForeignKey)]
        if any(f.related_model is Agreement for f in fks):
            assert agreement_path(model) is not None, model._meta.label


def test_search_reads_the_declared_fields(seed):
    labels = {m._meta.label_lower for m in searchable_models()}
    assert labels == {"programmes.project", "directory.organisation", "agreements.agreement", "directory.person"}
    project = seed.protocol.projects.order_by("number").first()
    assert texts_of(project, project.search_fields) == [project.number, *[v for _, v in sorted(project.title.items())]]
