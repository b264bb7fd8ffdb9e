"""Parameter values are data, never query text: the query's shape cannot change.

The one thing a canned query's text may gain is a VALUES row of IRIs that the
resolver found described in the graph (for the store's join planning): never a
string the user typed.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, diplokg

from diplokg import api, resolve
from diplokg.errors import DiplokgError, InputError

HOSTILE = [
    'Armenia" } UNION { ?entity ?p ?label } #',
    "Armenia' } UNION { ?s ?p ?o }",
    "}} DELETE WHERE { ?s ?p ?o } #",
    "Armenia\n} UNION {\n?entity a ?kind }",
    "# comment",
    '"""',
    "\\u0022 } UNION { ?s ?p ?o",
    "?name",
    "dkg:armenia> } UNION { ?s ?p ?o",
]


class RecordingStore:
    """Wraps a store to record exactly what text reaches the SPARQL engine."""

    def __init__(self, store: ox.Store):
        self.store, self.texts = store, []

    def query(self, text, **options):
        self.texts.append(text)
        return self.store.query(text, **options)


# The one opening CannedQuery.text_for may add: a VALUES row of IRIs.
_ENTITY_ROW = re.compile(r'(\bWHERE\s*\{) VALUES \((?:\?\w+ ?)+\) \{ \(((?:<[^<>\s"{}]*> ?)+)\) \}')


def query_shape(text: str) -> tuple[str, list[str]]:
    """The text without an entity row, and the IRIs that row names."""
    row = _ENTITY_ROW.search(text)
    if row is None:
        return text, []
    return text[:row.start()] + row.group(1) + text[row.end():], re.findall(r"<([^>]*)>", row.group(2))


def assert_only_fixed_texts(graph, recorder, fixed_texts: set[str]) -> None:
    """Every text the engine saw is a fixed text, opened at most by a row of IRIs the graph describes."""
    for text in list(recorder.texts):
        shape, iris = query_shape(text)
        assert shape in fixed_texts, "only fixed query texts ever reach the engine"
        for iri in iris:
            assert not graph.query(resolve._SUBJECT, entity=ox.NamedNode(iri)).is_empty(), iri


def graph_with_recorder(built_store):
    graph = api.open(built_store, ROOT)
    recorder = RecordingStore(graph.store)
    graph.__dict__["store"] = recorder
    return graph, recorder


@pytest.mark.reliability("Injection and escaping", "hand-written SPARQL injection strings as a string parameter")
def test_hostile_string_parameters_are_bound_as_literals(built_store, cases):
    graph, recorder = graph_with_recorder(built_store)
    cases.add(len(HOSTILE))
    body = graph.canned("entities-named").body
    for value in HOSTILE:
        answer = graph.ask("entities-named", name=value)
        assert recorder.texts[-1] == body, "the query text never changes"
        assert answer.bindings["name"] == ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#string"))
        # each row's label really contains the value, so no row comes from an injected pattern
        for row in answer.records():
            assert value.casefold() in row["label"].casefold()


def test_only_resolved_iris_open_a_canned_query(built_store):
    graph, recorder = graph_with_recorder(built_store)
    graph.ask("alliances-left", state="Armenia")
    assert query_shape(recorder.texts[-1]) == (graph.canned("alliances-left").body, ["https://w3id.org/diplokg/id/armenia"])
    graph.ask("events-on", date="2024-09-09")
    assert recorder.texts[-1] == graph.canned("events-on").body, "a literal parameter never becomes query text"


@pytest.mark.reliability("Injection and escaping", "hand-written SPARQL injection strings as an entity parameter (CLI)")
def test_hostile_entity_parameters_are_refused_not_run(built_store, cases):
    cases.add(len(HOSTILE))
    for value in HOSTILE:
        run = diplokg("ask", "alliances-left", "-p", f"state={value}", store=built_store)
        assert run.code == 2, value
        assert "Traceback" not in run.stderr


@pytest.mark.reliability("Injection and escaping", "arbitrary strings as parameters (Hypothesis)")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(min_size=1, max_size=40))
def test_any_string_keeps_the_query_shape(built_store, cases, value):
    cases.add()
    graph, recorder = graph_with_recorder(built_store)
    answer = graph.ask("entities-named", name=value)
    assert all(value.casefold() in str(row["label"]).casefold() for row in answer.records())
    try:
        graph.ask("alliances-left", state=value)
    except InputError:
        pass
    fixed_texts = {graph.canned("entities-named").body, graph.canned("alliances-left").body,
                   resolve._LABELS, resolve._INSTANCES, resolve._SUBJECT}
    assert_only_fixed_texts(graph, recorder, fixed_texts)


@pytest.mark.reliability("Injection and escaping", "arbitrary strings as a natural-language question (Hypothesis)")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.text(max_size=60), state=st.text(min_size=1, max_size=30))
def test_any_question_keeps_the_query_shape(built_store, cases, words, state):
    cases.add()
    graph, recorder = graph_with_recorder(built_store)
    fixed_texts = {query.body for query in graph.catalog} | {resolve._LABELS, resolve._INSTANCES, resolve._SUBJECT}
    for question in (words, f"Which alliances did {state} leave?"):
        try:
            graph.ask(question)
        except DiplokgError:
            pass  # not understood, or an unknown name: a message, never a changed query
    assert_only_fixed_texts(graph, recorder, fixed_texts)
