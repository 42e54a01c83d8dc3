"""RAiD JSON of the public projects: valid against the strict RAiD schema, languages as ISO 639-3."""

from __future__ import annotations

import io
import json

import pytest

from accord.core.models import Visibility
from accord.directory import services as directory
from accord.interop.standards.raid import language_id, project_raid, write_raid
from accord.programmes import services as programmes
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db


def test_every_public_seed_project_is_valid_raid(seed, schemas):
    hidden = programmes.create_project(
        agreement=seed.protocol, number="I-9", title={"en": "Internal"}, visibility=Visibility.INTERNAL,
        owner_party=seed.cn,
    )  # fmt: skip
    out = io.BytesIO()
    count = write_raid(out)
    records = json.loads(out.getvalue())

    assert count == len(records) == Project.objects.filter(visibility=Visibility.PUBLIC).count() == 122
    for record in records:
        assert schemas.raid_errors(record) == [], record["identifier"]["id"]
    assert f"urn:uuid:{hidden.uid}" not in {r["identifier"]["id"] for r in records}
    first = records[0]
    languages = {t["language"]["id"]: t["type"]["id"].rsplit("/", 1)[-1] for t in first["title"]}
    assert languages == {"eng": "5", "zho": "4", "rus": "4"}  # English primary, the others alternative
    assert {d["language"]["id"] for d in first["description"]} == {"eng", "zho", "rus"}


def test_ror_organisations_in_canonical_form(seed, schemas):
    directory.update_organisation(seed.cas, expected_version=seed.cas.version, identifiers={"ror": "034t30j35"})
    project = Project.objects.get(agreement=seed.protocol, number="1")  # not prefetched: the API's case
    record = project_raid(project)
    assert schemas.raid_errors(record) == []
    assert record["organisation"] == [
        {
            "id": "https://ror.org/034t30j35",
            "schemaUri": "https://ror.org/",
            "role": [
                {
                    "id": "https://vocabulary.raid.org/organisation.role.schema/182",
                    "schemaUri": "https://vocabulary.raid.org/organisation.role.schema/359",
                    "startDate": "1958-01-18",
                }
            ],
        }
    ]
    assert record["identifier"]["owner"]["id"] == "https://ror.org/034t30j35"  # the coordinator asks for it


def test_language_codes():
    assert [language_id(t) for t in ("zh", "zh-Hans", "ru", "en")] == ["zho", "zho", "rus", "eng"]


def test_schema_catches_a_broken_record(seed, schemas):
    record = project_raid(Project.objects.get(agreement=seed.protocol, number="3"))
    record["title"][0]["type"]["id"] = (
        "https://github.com/au-research/raid-metadata/blob/main/scheme/title/type/v1/primary.json"
    )
    assert schemas.raid_errors(record)
