"""Clients, projects and project knowledge: vocabulary, resources, metadata."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from app.services import (
    clients,
    project_metadata,
    project_resources,
    projects,
    vocabulary,
)
from app.services.errors import AlreadyExists, AmbiguousReference, InvalidInput, NotFound
from tests.services.builders import make_project


def test_create_client_makes_a_slug_and_refuses_duplicates(session: Session) -> None:
    client = clients.create_client(session, "  Café Élan Bridal ")

    assert client.name == "Café Élan Bridal"
    assert client.slug == "cafe-elan-bridal"
    with pytest.raises(AlreadyExists, match="cafe-elan-bridal"):
        clients.create_client(session, "Cafe Elan bridal")
    with pytest.raises(InvalidInput, match="must not be empty"):
        clients.create_client(session, "   ")
    with pytest.raises(InvalidInput, match="no letters or digits"):
        clients.create_client(session, "!!!")


def test_find_client_by_id_slug_or_name(session: Session) -> None:
    acme = clients.create_client(session, "Acme Bridal")
    clients.create_client(session, "Other")

    assert clients.find_client(session, str(acme.id)) is acme
    assert clients.find_client(session, "acme-bridal") is acme
    assert clients.find_client(session, "ACME bridal") is acme
    with pytest.raises(NotFound, match="nobody"):
        clients.find_client(session, "nobody")


def test_two_clients_with_one_name_are_ambiguous_by_name(session: Session) -> None:
    clients.create_client(session, "Acme", slug="acme-uk")
    clients.create_client(session, "Acme", slug="acme-us")

    with pytest.raises(AmbiguousReference) as raised:
        clients.find_client(session, "acme")
    assert raised.value.candidates == ("acme-uk", "acme-us")
    assert clients.find_client(session, "acme-us").slug == "acme-us"


def test_rename_client_keeps_the_slug(session: Session) -> None:
    client = clients.create_client(session, "Acme")

    clients.rename_client(session, client.id, "Acme Weddings")

    assert clients.find_client(session, "acme").name == "Acme Weddings"
    assert [c.name for c in clients.list_clients(session)] == ["Acme Weddings"]


def test_project_slugs_are_unique_per_client(session: Session) -> None:
    acme = clients.create_client(session, "Acme")
    other = clients.create_client(session, "Other")

    first = projects.create_project(session, acme.id, "Main Store", store_url="shop.acme.test")
    projects.create_project(session, other.id, "Main store")

    assert first.slug == "main-store"
    assert first.store_url == "https://shop.acme.test"
    with pytest.raises(AlreadyExists, match="main-store"):
        projects.create_project(session, acme.id, "main store")


def test_find_project_forms_and_ambiguity(session: Session) -> None:
    acme_main = make_project(session, "Main store", client="Acme")
    other_main = make_project(session, "Main store", client="Other")
    outlet = make_project(session, "Outlet", client="Acme")

    assert projects.find_project(session, str(outlet.id)) is outlet
    assert projects.find_project(session, "outlet") is outlet
    assert projects.find_project(session, "OUTLET") is outlet
    assert projects.find_project(session, "acme/main-store") is acme_main
    assert projects.find_project(session, "Other/Main Store") is other_main
    with pytest.raises(AmbiguousReference) as raised:
        projects.find_project(session, "main-store")
    assert raised.value.candidates == ("acme/main-store", "other/main-store")
    assert "acme/main-store" in str(raised.value)
    with pytest.raises(NotFound):
        projects.find_project(session, "acme/nothing")


def test_store_url_is_checked(session: Session) -> None:
    project = make_project(session)

    assert projects.update_store_url(session, project.id, "http://127.0.0.1:8080/shop").store_url
    with pytest.raises(InvalidInput, match="http or https"):
        projects.update_store_url(session, project.id, "ftp://shop.example.com")
    with pytest.raises(InvalidInput, match="not a valid web address"):
        projects.update_store_url(session, project.id, "https://exa mple.com")
    assert projects.update_store_url(session, project.id, None).store_url is None


def test_confirming_the_brand_voice_records_when(session: Session) -> None:
    project = make_project(session)
    when = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)

    projects.set_brand_voice(session, project.id, {"tone": "warm"}, confirmed_at=when)

    session.expire_all()
    stored = projects.get_project(session, project.id)
    assert stored.brand_voice == {"tone": "warm"}
    assert stored.brand_voice_confirmed_at == when
    with pytest.raises(InvalidInput, match="non-empty"):
        projects.set_brand_voice(session, project.id, {})
    projects.clear_brand_voice(session, project.id)
    assert stored.brand_voice is None and stored.brand_voice_confirmed_at is None


def test_archived_projects_leave_the_default_list(session: Session) -> None:
    kept = make_project(session, "Kept")
    gone = make_project(session, "Gone")

    projects.archive_project(session, gone.id)

    assert projects.list_projects(session) == [kept]
    assert {p.name for p in projects.list_projects(session, include_archived=True)} == {
        "Kept",
        "Gone",
    }
    projects.unarchive_project(session, gone.id)
    assert len(projects.list_projects(session)) == 2


def test_settings_merge_and_remove_keys(session: Session) -> None:
    project = make_project(session)

    projects.update_settings(session, project.id, {"language": "en-GB", "max_iterations": 3})
    projects.update_settings(session, project.id, {"max_iterations": None, "tone": "formal"})

    session.expire_all()
    assert projects.get_project(session, project.id).settings == {
        "language": "en-GB",
        "tone": "formal",
    }


def test_vocabulary_add_list_remove(session: Session) -> None:
    project = make_project(session)
    vocabulary.add_term(session, project.id, "gown", "a formal dress", usage="prefer")
    vocabulary.add_term(session, project.id, "cheap", usage="avoid", category="price")
    vocabulary.add_term(session, project.id, "Atelier")

    assert [t.term for t in vocabulary.list_terms(session, project.id)] == [
        "Atelier",
        "cheap",
        "gown",
    ]
    assert [t.term for t in vocabulary.list_terms(session, project.id, usage="avoid")] == ["cheap"]
    with pytest.raises(AlreadyExists, match="gown"):
        vocabulary.add_term(session, project.id, "Gown")
    with pytest.raises(InvalidInput, match="usage 'banned'"):
        vocabulary.add_term(session, project.id, "budget", usage="banned")

    vocabulary.update_term(session, project.id, "CHEAP", usage="neutral")
    vocabulary.remove_term(session, project.id, "gown")

    assert [(t.term, t.usage) for t in vocabulary.list_terms(session, project.id)] == [
        ("Atelier", "neutral"),
        ("cheap", "neutral"),
    ]
    with pytest.raises(NotFound, match="gown"):
        vocabulary.remove_term(session, project.id, "gown")


def test_resources_by_type(session: Session) -> None:
    project = make_project(session)
    sample = project_resources.add_resource(
        session, project.id, "style_sample", "We write like this.", meta={"platform": "blog"}
    )
    project_resources.add_resource(session, project.id, "reference", "Facts.", title="Sizes")

    samples = project_resources.list_resources(session, project.id, type="style_sample")
    assert samples == [sample]
    assert samples[0].meta == {"platform": "blog"}
    assert len(project_resources.list_resources(session, project.id)) == 2
    with pytest.raises(InvalidInput, match="resource type 'video'"):
        project_resources.add_resource(session, project.id, "video", "x")
    with pytest.raises(InvalidInput, match="content must not be empty"):
        project_resources.add_resource(session, project.id, "reference", "  ")
    project_resources.remove_resource(session, sample.id)
    assert project_resources.list_resources(session, project.id, type="style_sample") == []


def test_project_metadata_set_replace_delete(session: Session) -> None:
    project = make_project(session)
    project_metadata.set_metadata(session, project.id, "tagline", "Made for your day")
    project_metadata.set_metadata(session, project.id, "audience", {"age": [25, 40]})
    project_metadata.set_metadata(session, project.id, "tagline", "Yours, made to measure")

    assert project_metadata.get_metadata(session, project.id) == {
        "audience": {"age": [25, 40]},
        "tagline": "Yours, made to measure",
    }
    project_metadata.delete_metadata(session, project.id, "audience")
    assert list(project_metadata.get_metadata(session, project.id)) == ["tagline"]
    with pytest.raises(NotFound):
        project_metadata.delete_metadata(session, project.id, "audience")
    with pytest.raises(InvalidInput, match="needs a value"):
        project_metadata.set_metadata(session, project.id, "empty", None)
