"""Canned queries: every one runs, as-is and through diplokg, with exactly the documents' answers."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import ROOT, diplokg

from diplokg.canned import load_catalog
from expected_answers import COLUMNS, EXPECTED

CATALOG = load_catalog(ROOT / "queries")
DKG = "https://w3id.org/diplokg/id/"
DOC = DKG + "document/"
D000 = DOC + "000_a2fe28b85ae602ee"
D002 = DOC + "002_ec9d1e3fc129980f"
QUOTE_000 = 'Late last month, Armenia suspended its participation in the Russian-led Collective Security Treaty Organization (CSTO) "at all levels."'
QUOTE_002 = ("The Armenian government announced in February that it was freezing its participation in the CSTO "
             "due to its failure to come to Armenia’s defense against Azerbaijani attacks.")

def local(value: str) -> str:
    for namespace in (DOC, DKG, "https://w3id.org/diplokg/event-type/"):
        if value.startswith(namespace):
            return value[len(namespace):]
    return value


def rows(run_stdout: str, columns) -> list[str]:
    return [" | ".join(local(row[c]) for c in columns) for row in csv.DictReader(io.StringIO(run_stdout))]


def test_every_canned_query_has_an_expected_answer():
    assert {q.name for q in CATALOG} == set(EXPECTED) == set(COLUMNS)
    assert len(CATALOG) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_canned_query_answers_exactly_what_the_documents_say(built_store, name):
    run = diplokg("ask", name, "--format", "csv", store=built_store)
    assert run.code == 0, run.output
    assert rows(run.stdout, COLUMNS[name]) == EXPECTED[name]


def test_the_demo_answer_quotes_its_sources_verbatim(built_store):
    run = diplokg("ask", "alliances-left", "--format", "csv", store=built_store)
    quotes = [row["quote"] for row in csv.DictReader(io.StringIO(run.stdout))]
    assert quotes == [QUOTE_000, QUOTE_002]


@pytest.mark.parametrize("query", CATALOG, ids=lambda q: q.name)
def test_the_file_runs_as_is_with_its_defaults(built_store, query):
    """Run verbatim (as any SPARQL tool would), the file gives what diplokg gives with default parameters."""
    as_is = diplokg("query", str(query.path), "--format", "csv", store=built_store)
    bound = diplokg("ask", query.name, "--format", "csv", store=built_store)
    assert as_is.code == 0, as_is.output
    assert as_is.stdout == bound.stdout


@pytest.mark.parametrize("query", CATALOG, ids=lambda q: q.name)
def test_header_metadata(query):
    assert query.title and query.description
    assert query.questions, "every canned query declares the questions it answers"
    for parameter in query.parameters:
        assert parameter.doc
        assert f"?{parameter.name}" in query.body


def test_a_parameter_changes_the_answer(built_store):
    russia = diplokg("ask", "alliances-left", "--param", "state=Russia", "--format", "csv", store=built_store)
    assert russia.code == 1, "Russia left no alliance in these documents"
    assert russia.stdout.splitlines()[0].startswith("state,organisation")


def test_catalog_lists_names_titles_parameters_and_questions(built_store):
    import json

    run = diplokg("queries", "--format", "json", store=built_store)
    listed = {q["name"]: q for q in json.loads(run.stdout)}
    assert set(listed) == {q.name for q in CATALOG}
    left = listed["alliances-left"]
    assert left["title"] == "Alliances a state left"
    assert left["parameters"] == [{"name": "state", "type": "dip:State", "default": "dkg:armenia",
                                   "description": "the state (IRI, prefixed name or label)"}]
    assert "Which alliances did {state} leave?" in left["questions"]
    table = diplokg("queries", "--format", "table", store=built_store)
    assert "alliances-left — Alliances a state left" in table.stdout


def test_conflicting_claims_finds_an_organisations_pairs_from_either_side(built_store):
    """The CSTO is the organisation of two memberships, the topic of three claims, in neither's subject."""
    run = diplokg("ask", "conflicting-claims", "--param", "subject=CSTO", "--format", "csv", store=built_store)
    assert run.code == 0, run.output
    assert rows(run.stdout, ["subject", "kind", "account", "otherAccount"]) == [
        "csto | evolving | claim-002-lavrov-csto-support | claim-004-satisfaction-cooperation-organisations",
        "csto | evolving | claim-002-lavrov-observation-mission | claim-004-satisfaction-cooperation-organisations",
        "csto | linked | claim-002-lavrov-csto-support | membership-armenia-csto-002",
        "csto | retold | membership-armenia-csto-000 | membership-armenia-csto-002",
    ]


def test_every_entity_in_the_disagreements_overview_has_the_pairs_it_counts(built_store):
    """Drilling down from the overview: retold and evolving accounts pair only with accounts
    of the same entity, so their counts are exactly the accounts its pairs name; a linked
    account may pair with an account of another entity, so linked only has to show up."""
    overview = csv.DictReader(io.StringIO(diplokg("ask", "disagreements", "--format", "csv", store=built_store).stdout))
    entities = list(overview)
    assert entities
    for entity in entities:
        run = diplokg("ask", "conflicting-claims", "--param", f"subject={entity['entity']}", "--format", "csv",
                      store=built_store)
        pairs = list(csv.DictReader(io.StringIO(run.stdout)))
        for kind in ("retold", "evolving"):
            accounts = {row[side] for row in pairs if row["kind"] == kind for side in ("account", "otherAccount")}
            assert len(accounts) == int(entity[kind]), (entity["entity"], kind)
        assert any(row["kind"] == "linked" for row in pairs) == (int(entity["linked"]) > 0), entity["entity"]
