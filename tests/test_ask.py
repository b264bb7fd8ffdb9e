"""`diplokg ask`: canned queries by name or by question, parameters by IRI, prefixed name or label."""

from __future__ import annotations

import json

import pytest

from conftest import assert_no_traceback, diplokg

ARMENIA = "https://w3id.org/diplokg/id/armenia"
CSTO = "https://w3id.org/diplokg/id/csto"


def states_in(run) -> set[str]:
    return {b["state"]["value"] for b in json.loads(run.stdout)["results"]["bindings"]}


@pytest.mark.parametrize(
    "value",
    ["Armenia", "armenia", "ARMENIA", "Republic of Armenia", "the Republic of Armenia", "dkg:armenia", f"<{ARMENIA}>", ARMENIA],
)
def test_state_parameter_accepts_iri_prefixed_name_or_label(built_store, value):
    run = diplokg("ask", "alliances-left", "--param", f"state={value}", "--format", "json", store=built_store)
    assert run.code == 0, run.output
    assert states_in(run) == {ARMENIA}


@pytest.mark.parametrize("value", ["CSTO", "csto", "Collective Security Treaty Organization", "dkg:csto"])
def test_organisation_by_acronym_or_name(built_store, value):
    run = diplokg("ask", "organisation-members", "-p", f"organisation={value}", "--format", "json", store=built_store)
    assert run.code == 0, run.output
    orgs = {b["organisation"]["value"] for b in json.loads(run.stdout)["results"]["bindings"]}
    assert orgs == {CSTO}


def test_the_demo_question(built_store):
    run = diplokg("ask", "Which alliances did Armenia leave?", "--format", "table", store=built_store)
    assert run.code == 0, run.output
    assert "query alliances-left" in run.output
    assert "state = dkg:armenia" in run.output
    assert "Collective Security Treaty Organization" in run.stdout
    assert "suspended" in run.stdout
    assert "000_a2fe28b85ae602ee" in run.stdout and "002_ec9d1e3fc129980f" in run.stdout


@pytest.mark.parametrize(
    "question, query",
    [
        ("which alliances did armenia leave", "alliances-left"),
        ("Which blocs did the Republic of Armenia leave?", "alliances-left"),
        ("Who are the members of the CSTO?", "organisation-members"),
        ("What are the memberships of Armenia?", "memberships"),
    ],
)
def test_questions_pick_the_right_query(built_store, question, query):
    run = diplokg("ask", question, "--format", "json", store=built_store)
    assert run.code == 0, run.output
    assert f"query {query}" in run.stderr


def test_unknown_label_lists_closest_matches(built_store):
    run = diplokg("ask", "alliances-left", "-p", "state=Armenai", store=built_store)
    assert run.code == 2
    assert "'Armenia'" in run.stderr and "Closest matches" in run.stderr
    assert_no_traceback(run)


def test_label_of_the_wrong_type_is_not_accepted(built_store):
    run = diplokg("ask", "alliances-left", "-p", "state=CSTO", store=built_store)
    assert run.code == 2
    assert "nothing of type dip:State is called 'CSTO'" in run.stderr


def test_unknown_iri_is_refused(built_store):
    run = diplokg("ask", "alliances-left", "-p", "state=dkg:atlantis", store=built_store)
    assert run.code == 2
    assert "not described in the graph" in run.stderr


def test_ambiguous_label_lists_candidates(project_copy, tmp_path):
    states = project_copy / "data" / "reference" / "states.ttl"
    states.write_text(states.read_text() + """
dkg:twin-north a dip:State ; rdfs:label "North Twin"@en ; skos:altLabel "Twin"@en .
dkg:twin-south a dip:State ; rdfs:label "South Twin"@en ; skos:altLabel "Twin"@en .
""")
    store = tmp_path / "store"
    assert diplokg("build", store=store, project=project_copy).code == 0
    run = diplokg("ask", "alliances-left", "-p", "state=twin", store=store, project=project_copy)
    assert run.code == 2
    assert "ambiguous" in run.stderr
    assert "https://w3id.org/diplokg/id/twin-north" in run.stderr
    assert "https://w3id.org/diplokg/id/twin-south" in run.stderr
    unique = diplokg("ask", "alliances-left", "-p", "state=North Twin", store=store, project=project_copy)
    assert unique.code == 1, "resolves, and that state left nothing"


def test_unmatched_question_lists_the_forms(built_store):
    run = diplokg("ask", "What is the meaning of life?", store=built_store)
    assert run.code == 2
    assert "Which alliances did {state} leave?" in run.stderr
    assert_no_traceback(run)


def test_unknown_parameter_and_malformed_param(built_store):
    unknown = diplokg("ask", "alliances-left", "-p", "country=Armenia", store=built_store)
    assert unknown.code == 2 and "has no parameter country" in unknown.stderr
    malformed = diplokg("ask", "alliances-left", "-p", "Armenia", store=built_store)
    assert malformed.code == 2 and "NAME=VALUE" in malformed.stderr


def test_unknown_query_name_is_read_as_a_question(built_store):
    run = diplokg("ask", "no-such-query", store=built_store)
    assert run.code == 2
    assert "no canned query answers" in run.stderr
