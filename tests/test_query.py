"""`diplokg query`: read-only SPARQL over all graphs, in W3C result formats."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import rdflib

from conftest import ROOT, assert_no_traceback, diplokg
from diplokg.query import result_of

STATES = "PREFIX dip: <https://w3id.org/diplokg/ontology#> SELECT ?s WHERE { ?s a dip:State } ORDER BY ?s"


def test_select_as_json_csv_tsv_and_xml_agree(built_store):
    as_json = json.loads(diplokg("query", "-e", STATES, "--format", "json", store=built_store).stdout)
    states = [b["s"]["value"] for b in as_json["results"]["bindings"]]
    assert "https://w3id.org/diplokg/id/armenia" in states
    as_csv = list(csv.reader(io.StringIO(diplokg("query", "-e", STATES, "--format", "csv", store=built_store).stdout)))
    assert [row[0] for row in as_csv[1:]] == states
    tsv = diplokg("query", "-e", STATES, "--format", "tsv", store=built_store).stdout.splitlines()
    assert [line.strip("<>") for line in tsv[1:]] == states
    xml = diplokg("query", "-e", STATES, "--format", "xml", store=built_store).stdout.encode()
    parsed = ox.parse_query_results(xml, format=ox.QueryResultsFormat.XML)
    assert [s["s"].value for s in parsed] == states


def test_default_output_off_a_terminal_is_sparql_json(built_store):
    run = diplokg("query", "-e", STATES, store=built_store)
    assert json.loads(run.stdout)["head"]["vars"] == ["s"]


def test_query_from_a_file(built_store):
    run = diplokg("query", str(ROOT / "queries" / "alliances-left.rq"), "--format", "csv", store=built_store)
    assert run.code == 0
    assert "https://w3id.org/diplokg/id/csto" in run.stdout


@pytest.mark.parametrize("fmt, rdf_format", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml")])
def test_construct_in_each_rdf_format(built_store, fmt, rdf_format):
    text = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/diplokg/graph/reference> { ?s ?p ?o } }"
    run = diplokg("query", "-e", text, "--format", fmt, store=built_store)
    assert run.code == 0, run.output
    graph = rdflib.Graph().parse(data=run.stdout, format=rdf_format)
    reference = rdflib.Graph()
    for path in (ROOT / "data" / "reference").glob("*.ttl"):
        reference.parse(path)
    assert len(graph) == len(reference)


def test_ask_query(built_store):
    yes = diplokg("query", "-e", "ASK { ?s ?p ?o }", "--format", "json", store=built_store)
    assert json.loads(yes.stdout)["boolean"] is True
    no = diplokg("query", "-e", "ASK { <urn:x:nothing> ?p ?o }", "--format", "json", store=built_store)
    assert no.code == 1
    assert json.loads(no.stdout)["boolean"] is False


def test_graph_keyword_reaches_each_named_graph(built_store):
    text = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/diplokg/graph/ontology> { ?s ?p ?o } }"
    count = int(diplokg("query", "-e", text, "--format", "csv", store=built_store).stdout.split()[1])
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    total = int(diplokg("query", "-e", union, "--format", "csv", store=built_store).stdout.split()[1])
    assert 0 < count < total


@pytest.mark.parametrize(
    "update",
    [
        "DELETE WHERE { ?s ?p ?o }",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DROP ALL",
        "CLEAR GRAPH <https://w3id.org/diplokg/graph/ontology>",
        "LOAD <http://example.org/data.ttl>",
    ],
)
def test_updates_are_refused_and_change_nothing(built_store, update):
    before = diplokg("query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", store=built_store)
    run = diplokg("query", "-e", update, store=built_store)
    assert run.code == 2
    assert "read-only" in run.stderr
    assert_no_traceback(run)
    after = diplokg("query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv", store=built_store)
    assert before.stdout == after.stdout


def test_syntax_error_is_bad_input(built_store):
    run = diplokg("query", "-e", "SELECT ?x WHERE { ?x", store=built_store)
    assert run.code == 2
    assert "SPARQL syntax error" in run.stderr
    assert_no_traceback(run)


def test_no_rows_exits_1(built_store):
    run = diplokg("query", "-e", "SELECT ?s WHERE { ?s <urn:x:none> ?o }", "--format", "csv", store=built_store)
    assert run.code == 1
    assert run.stdout.strip() == "s"


def test_query_needs_exactly_one_source_of_text(built_store):
    run = diplokg("query", store=built_store)
    assert run.code == 2
    assert "give a query FILE or -e TEXT" in run.stderr


def test_from_clauses_define_the_dataset(built_store):
    only_reference = ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/diplokg/graph/reference> "
                      "WHERE { ?s ?p ?o }")
    reference = int(diplokg("query", "-e", only_reference, "--format", "csv", store=built_store).stdout.split()[1])
    everything = int(diplokg("query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv",
                             store=built_store).stdout.split()[1])
    expected = sum(len(rdflib.Graph().parse(p)) for p in (ROOT / "data" / "reference").glob("*.ttl"))
    assert reference == expected < everything


def test_results_json_is_what_the_engine_itself_writes():
    """diplokg writes SPARQL JSON from the rows it already holds; every kind of term must come out as oxigraph writes it."""
    store = ox.Store()
    subject, predicate = ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p")
    for value in (ox.Literal('quote " newline \n accent é', language="en"),
                  ox.Literal("rtl", language="ar", direction=ox.BaseDirection.RTL),
                  ox.Literal("2024-08", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")),
                  ox.Literal("plain"), ox.BlankNode("b0"), subject):
        store.add(ox.Quad(subject, predicate, value))
    text = """SELECT ?s ?o ?triple ?missing WHERE {
                ?s ?p ?o BIND(<<( ?s ?p ?o )>> AS ?triple) OPTIONAL { ?s ?p ?missing FILTER(false) }
              } ORDER BY STR(?o)"""
    written = result_of(store.query(text)).serialize("json")
    assert written == store.query(text).serialize(format=ox.QueryResultsFormat.JSON)
    assert json.loads(written)["results"]["bindings"][0]["s"] == {"type": "uri", "value": "http://example.org/a"}
    for ask in ("ASK { ?s ?p ?o }", "ASK { ?s ?p \"absent\" }"):
        assert result_of(store.query(ask)).serialize("json") == store.query(ask).serialize(format=ox.QueryResultsFormat.JSON)
