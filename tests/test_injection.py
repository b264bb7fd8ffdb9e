"""Parameter values are data, never query text: the query's shape cannot change."""

from __future__ import annotations

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
    assert set(recorder.texts) <= fixed_texts, "only fixed query texts ever reach the engine"


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
    assert set(recorder.texts) <= fixed_texts, "only the catalogue's fixed query texts ever reach the engine"
