"""The Python API gives notebook users what the CLI gives, as plain Python values."""

from __future__ import annotations

import io

import pytest

from conftest import ROOT

import diplokg
from diplokg.errors import InputError


@pytest.fixture(scope="module")
def graph(built_store):
    return diplokg.open(built_store, ROOT)


def test_ask_by_name_with_keyword_parameters(graph):
    answer = graph.ask("alliances-left", state="Armenia")
    records = answer.records()
    assert [r["organisation"] for r in records] == ["https://w3id.org/diplokg/id/csto"] * 2
    assert {r["since"] for r in records} == {"2024-08", "--02"}
    assert all(isinstance(r, dict) for r in records)


def test_ask_a_question(graph):
    answer = graph.ask("Which alliances did Armenia leave?")
    assert answer.query.name == "alliances-left"
    assert answer.form == "Which alliances did {state} leave?"
    assert len(answer.records()) == 2


def test_plain_sparql_rows_convert_to_native_values(graph):
    result = graph.query("SELECT (COUNT(*) AS ?n) (true AS ?flag) WHERE { ?s a <https://w3id.org/diplokg/ontology#State> }")
    assert result.records() == [{"n": 17, "flag": True}]


def test_export_and_stats(graph):
    buffer = io.BytesIO()
    graph.export("nq", buffer, graphs="inferred")
    assert buffer.getvalue().count(b"\n") == graph.stats().triples_per_graph["https://w3id.org/diplokg/graph/inferred"]
    assert graph.stats().instances_per_class["https://w3id.org/diplokg/ontology#State"] == 17


def test_errors_are_exceptions_not_exits(graph):
    with pytest.raises(InputError, match="no parameter"):
        graph.ask("alliances-left", country="Armenia")


def test_build_returns_an_open_graph_with_its_report(tmp_path):
    graph = diplokg.build(tmp_path / "store", ROOT)
    assert graph.last_build.inferred.triples > 0
    assert set(graph.last_build.timings) == {"load", "validate", "reason", "store"}
    assert graph.ask("memberships", state="dkg:armenia").records()
