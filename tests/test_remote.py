"""The pieces of serve and remote that are pure logic: negotiation, safe remote binding, the SERVICE policy."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib.plugins.sparql.parser import parseQuery

from diplokg.errors import InputError
from diplokg.remote import bind_values, query_form
from diplokg.serve.negotiation import GRAPH_OFFERS, HTML_OFFERS, SOLUTION_OFFERS, negotiate
from diplokg.serve.sparql import ServiceRefused, check_services

LABEL_QUERY = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?entity WHERE { ?entity rdfs:label ?name }"


@pytest.mark.parametrize("accept, offers, expected", [
    (None, SOLUTION_OFFERS, "json"),
    ("", GRAPH_OFFERS, "ttl"),
    ("*/*", GRAPH_OFFERS, "ttl"),
    ("application/rdf+xml;q=0.9, application/ld+json", GRAPH_OFFERS, "jsonld"),
    ("application/n-triples;q=0.2, text/turtle;q=0.1", GRAPH_OFFERS, "nt"),
    ("text/html;q=0, */*", HTML_OFFERS + GRAPH_OFFERS, "ttl"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML_OFFERS + GRAPH_OFFERS, "html"),
    ("text/tab-separated-values", SOLUTION_OFFERS, "tsv"),
    ("garbage", SOLUTION_OFFERS, "json"),
])
def test_negotiation(accept, offers, expected):
    assert negotiate(accept, offers).fmt == expected


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0", "application/sparql-results+json"])
def test_negotiation_refuses_what_is_not_offered(accept):
    assert negotiate(accept, GRAPH_OFFERS) is None


@pytest.mark.reliability("Injection and escaping", "arbitrary strings bound on a remote endpoint (Hypothesis)")
@given(st.text())
def test_a_bound_literal_cannot_change_the_query_shape(value):
    bound = bind_values(LABEL_QUERY, {"name": ox.Literal(value, language="en")})
    _, parsed = parseQuery(bound)
    where = parsed["where"]["part"]
    values = where[0]
    assert values.name == "InlineData"
    assert [str(v) for v in values["var"]] == ["name"]
    assert len(values["value"]) == 1 and len(values["value"][0]) == 1
    assert str(values["value"][0][0]["string"]) == value
    assert len(where) == 2  # the VALUES block and the query's own triple pattern, nothing injected


@pytest.mark.parametrize("iri", ["http://x/a> } ; DROP ALL ; SELECT * { <http://x/b", "http://x/a b", "http://x/<a>"])
def test_an_iri_with_syntax_in_it_is_refused_by_the_rdf_library(iri):
    with pytest.raises(ValueError):
        bind_values(LABEL_QUERY, {"entity": ox.NamedNode(iri)})


def test_binding_places_values_at_the_top_of_the_where_clause():
    bound = bind_values("SELECT ?x ?y { ?x ?p ?y }", {"x": ox.NamedNode("http://x/a")})
    assert bound == "SELECT ?x ?y { VALUES (?x) { (<http://x/a>) }  ?x ?p ?y }"
    with pytest.raises(InputError, match="only IRIs and literals"):
        bind_values(LABEL_QUERY, {"entity": ox.BlankNode("b0")})
    with pytest.raises(InputError, match="not a SPARQL variable"):
        bind_values(LABEL_QUERY, {"name) } DROP ALL": ox.Literal("x")})


@pytest.mark.parametrize("text, form", [
    ("SELECT * {}", "SELECT"), ("# comment\nPREFIX a: <http://a/>\nBASE <http://b/>\nask {}", "ASK"),
    ("PREFIX : <http://a/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"), ("DESCRIBE <http://a>", "DESCRIBE"),
])
def test_query_form(text, form):
    assert query_form(text) == form


@pytest.mark.reliability("Hostile queries against serve", "SERVICE allow-list: listed endpoints only, never a variable")
def test_service_policy():
    federated = "SELECT * WHERE { SERVICE <http://other.example/sparql> { ?s ?p ?o } }"
    with pytest.raises(ServiceRefused, match="off on this server"):
        check_services(federated, ())
    check_services(federated, ("http://other.example/sparql",))  # allow-listed: passes
    with pytest.raises(ServiceRefused, match="only allowed to"):
        check_services(federated.replace("other", "evil"), ("http://other.example/sparql",))
    with pytest.raises(ServiceRefused):
        check_services("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", ("http://other.example/sparql",))
    with pytest.raises(ServiceRefused, match="could not be checked"):
        check_services("SELECT * WHERE { SERVICE <http://a> { ?s ?p ?o } ", ("http://a",))
    prefixed = "PREFIX ex: <http://other.example/> SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }"
    check_services(prefixed, ("http://other.example/sparql",))
    check_services('SELECT * WHERE { ?s ?p "customer service" }', ())  # the word alone is no call


@pytest.mark.reliability("Injection and escaping", "javascript: and data: IRIs never become links in served HTML")
@pytest.mark.parametrize("iri, link", [
    ("https://w3id.org/diplokg/id/armenia", "/id/armenia"),
    ("https://example.org/x", "https://example.org/x"),
    ("javascript:alert(1)", ""),
    ("data:text/html,<script>alert(1)</script>", ""),
])
def test_html_links_only_to_web_iris(iri, link):
    from diplokg.serve.app import _local_link

    assert _local_link(iri) == link
