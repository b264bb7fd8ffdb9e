"""`diplokg serve` against real clients: SPARQLWrapper, rdflib's SPARQLStore, plain HTTP.

Every expected answer comes from the CLI run on the same store, so the server
is checked against the tool users already trust, not against numbers written here.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from conftest import ROOT, assert_no_traceback, diplokg, running_server
from diplokg.canned import load_catalog
from diplokg.serve.app import DESCRIBE_ENTITY

CATALOG = load_catalog(ROOT / "queries")
ARMENIA = "https://w3id.org/diplokg/id/armenia"
SELECT = """PREFIX dip: <https://w3id.org/diplokg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?state ?name ?code WHERE { ?state a dip:State ; rdfs:label ?name . OPTIONAL { ?state dip:iso3166Alpha2 ?code } }
ORDER BY ?name ?state"""
ASK_YES = "ASK { <https://w3id.org/diplokg/id/armenia> a <https://w3id.org/diplokg/ontology#State> }"
ASK_NO = "ASK { <https://w3id.org/diplokg/id/armenia> a <https://w3id.org/diplokg/ontology#Person> }"
CONSTRUCT = """PREFIX dip: <https://w3id.org/diplokg/ontology#>
CONSTRUCT { ?state dip:sharesBorderWith ?other ; ?p ?o } WHERE {
  ?state dip:sharesBorderWith ?other ; ?p ?o . FILTER(isLiteral(?o)) }"""
DESCRIBE = f"DESCRIBE <{ARMENIA}>"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HOSTILE = "Hostile queries against serve"
# Generous: the first page request renders the whole site, and CI machines are busy.
web = httpx.Client(timeout=120)


@pytest.fixture(scope="module")
def server(built_store) -> str:
    with running_server(built_store) as url:
        yield url


def cli_bytes(*args: str, store: Path) -> bytes:
    """The CLI's standard output as bytes, exactly (CSV lines end in CRLF)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOKG_")}
    env.update(DIPLOKG_STORE=str(store), DIPLOKG_PROJECT=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "diplokg", *args], capture_output=True, env=env, timeout=300)
    assert done.returncode in (0, 1), done.stderr.decode()
    return done.stdout


def graph_of(data: bytes | str, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format=fmt)


# --- SPARQLWrapper -----------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("wrapper_format, cli_format", [(JSON, "json"), (XML, "xml"), (CSV, "csv"), (TSV, "tsv")])
def test_sparqlwrapper_select_matches_cli_in_every_format(server, built_store, method, wrapper_format, cli_format):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(wrapper_format)
    if method == "POST":
        client.setMethod(POST)
    answer = client.query().response.read()
    assert answer == cli_bytes("query", "-e", SELECT, "--format", cli_format, store=built_store)
    assert b"armenia" in answer


@pytest.mark.parametrize("wrapper_format, cli_format", [(JSON, "json"), (XML, "xml")])
@pytest.mark.parametrize("text, expected", [(ASK_YES, True), (ASK_NO, False)])
def test_sparqlwrapper_ask_matches_cli(server, built_store, wrapper_format, cli_format, text, expected):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(text)
    client.setReturnFormat(wrapper_format)
    answer = client.query().response.read()
    assert answer == cli_bytes("query", "-e", text, "--format", cli_format, store=built_store)
    if wrapper_format == JSON:
        assert json.loads(answer)["boolean"] is expected


@pytest.mark.parametrize("text", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("wrapper_format, rdflib_format", [(TURTLE, "turtle"), (N3, "turtle"), (RDFXML, "xml"),
                                                           (JSONLD, "json-ld")])
def test_sparqlwrapper_graph_queries_match_cli(server, built_store, text, wrapper_format, rdflib_format):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(text)
    client.setReturnFormat(wrapper_format)
    answer = graph_of(client.query().response.read(), rdflib_format)
    expected = graph_of(cli_bytes("query", "-e", text, "--format", "ttl", store=built_store), "turtle")
    assert len(expected) > 5
    assert isomorphic(answer, expected)


# --- rdflib SPARQLStore ------------------------------------------------------------------------

def cli_rows(text: str, store: Path) -> list[tuple]:
    parsed = rdflib.query.Result.parse(io.BytesIO(cli_bytes("query", "-e", text, "--format", "json", store=store)),
                                       format="json")
    return [tuple(row) for row in parsed]


@pytest.mark.parametrize("return_format", ["xml", "json", "csv", "tsv"])
def test_rdflib_sparqlstore_select(server, built_store, return_format):
    graph = rdflib.Graph(store=SPARQLStore(server + "/sparql", returnFormat=return_format))
    rows = [tuple(row) for row in graph.query(SELECT)]
    expected = cli_rows(SELECT, built_store)
    if return_format in ("csv", "tsv"):  # CSV carries no datatypes or term kinds: compare the text
        expected = [tuple(None if t is None else str(t) for t in row) for row in expected]
        rows = [tuple(None if t is None or str(t) == "" else str(t) for t in row) for row in rows]
    assert rows == expected
    assert len(rows) > 5


@pytest.mark.parametrize("return_format", ["xml", "json"])
@pytest.mark.parametrize("text, expected", [(ASK_YES, True), (ASK_NO, False)])
def test_rdflib_sparqlstore_ask(server, return_format, text, expected):
    graph = rdflib.Graph(store=SPARQLStore(server + "/sparql", returnFormat=return_format))
    assert graph.query(text).askAnswer is expected


@pytest.mark.parametrize("return_format", ["xml", "json", "csv", "tsv"])
@pytest.mark.parametrize("text", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_rdflib_sparqlstore_graph_queries(server, built_store, return_format, text):
    graph = rdflib.Graph(store=SPARQLStore(server + "/sparql", returnFormat=return_format))
    answer = rdflib.Graph()
    for triple in graph.query(text):
        answer.add(triple)
    expected = graph_of(cli_bytes("query", "-e", text, "--format", "ttl", store=built_store), "turtle")
    assert isomorphic(answer, expected)


# --- SPARQL Protocol details -------------------------------------------------------------------

@pytest.mark.parametrize("accept, content_type", [
    (None, "application/sparql-results+json"), ("*/*", "application/sparql-results+json"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/*", "text/csv"), ("application/json", "application/sparql-results+json"),
])
def test_accept_negotiation_and_defaults(server, accept, content_type):
    headers = {"Accept": accept} if accept is not None else {}
    response = web.get(server + "/sparql", params={"query": SELECT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == content_type
    assert response.headers["vary"] == "Accept"


def test_construct_defaults_to_turtle(server, built_store):
    response = web.get(server + "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")
    expected = cli_bytes("query", "-e", CONSTRUCT, "--format", "ttl", store=built_store)
    assert isomorphic(graph_of(response.content, "turtle"), graph_of(expected, "turtle"))


def test_post_bodies(server, built_store):
    expected = json.loads(cli_bytes("query", "-e", SELECT, "--format", "json", store=built_store))
    direct = web.post(server + "/sparql", content=SELECT.encode(), headers={"Content-Type": "application/sparql-query"})
    form = web.post(server + "/sparql", data={"query": SELECT})
    assert direct.json() == expected
    assert form.json() == expected


def test_dataset_from_protocol_parameters(server, built_store):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ontology = "https://w3id.org/diplokg/graph/ontology"
    with_from = count.replace("WHERE", f"FROM <{ontology}> WHERE")
    expected = json.loads(cli_bytes("query", "-e", with_from, "--format", "json", store=built_store))
    union = json.loads(cli_bytes("query", "-e", count, "--format", "json", store=built_store))
    answer = web.get(server + "/sparql", params={"query": count, "default-graph-uri": ontology}).json()
    assert answer == expected != union
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = web.get(server + "/sparql", params={"query": graphs, "named-graph-uri": ontology}).json()
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [ontology]


def test_service_description(server):
    response = web.get(server + "/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    description = graph_of(response.content, "turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = description.value(predicate=rdflib.RDF.type, object=sd.Service)
    assert service is not None
    assert description.value(service, sd.endpoint) == rdflib.URIRef(server + "/sparql")
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in description
    names = {str(o) for o in description.objects(None, sd.name)}
    assert "https://w3id.org/diplokg/graph/inferred" in names


def test_cors(server):
    simple = web.get(server + "/sparql", params={"query": ASK_YES}, headers={"Origin": "https://yasgui.example"})
    assert simple.headers["access-control-allow-origin"] == "*"
    preflight = web.options(server + "/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# --- protocol errors and hostile requests ------------------------------------------------------

@pytest.mark.reliability(HOSTILE, "malformed SPARQL: 400 with the parser's message")
def test_malformed_query_is_400_with_the_parser_message(server):
    response = web.get(server + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.text and "1:" in response.text
    assert_clean(response)


@pytest.mark.reliability(HOSTILE, "SPARQL Update, LOAD, CLEAR, DROP (form, body, as a query): 403, store unchanged")
@pytest.mark.parametrize("request_kwargs", [
    {"data": {"update": "DROP ALL"}},
    {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
    {"data": {"query": "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"}},
    {"data": {"query": "LOAD <http://example.org/data.ttl>"}},
    {"data": {"query": "CLEAR DEFAULT"}},
    {"data": {"query": "DROP GRAPH <https://w3id.org/diplokg/graph/inferred>"}},
], ids=["update-form", "update-body", "insert-as-query", "load", "clear", "drop"])
def test_updates_are_refused(server, built_store, request_kwargs):
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = web.get(server + "/sparql", params={"query": count}).json()
    response = web.post(server + "/sparql", **request_kwargs)
    assert response.status_code == 403
    assert "read-only" in response.text
    assert web.get(server + "/sparql", params={"query": count}).json() == before


@pytest.mark.reliability(HOSTILE, "Graph Store writes (PUT, DELETE, POST on a resource): 405")
@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST"])
def test_graph_store_writes_are_refused(server, method):
    response = web.request(method, server + "/id/armenia", content=b"<http://x/a> <http://x/b> <http://x/c> .",
                             headers={"Content-Type": "text/turtle"})
    assert response.status_code == 405


@pytest.mark.reliability(HOSTILE, "SERVICE to an arbitrary endpoint (server-side request forgery): 403")
def test_service_is_refused_by_default(server):
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    response = web.post(server + "/sparql", data={"query": text})
    assert response.status_code == 403
    assert "SERVICE http://127.0.0.1:1/sparql refused" in response.text


def test_unknown_entity_is_404(server):
    response = web.get(server + "/id/no-such-entity", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "no entity <https://w3id.org/diplokg/id/no-such-entity>" in response.text


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/id/armenia", "/api/queries/alliances-left"])
def test_unsupported_accept_is_406(server, path):
    response = web.get(server + path, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "image/png" in response.text


@pytest.mark.reliability(HOSTILE, "request body over the limit, declared and chunked: 413")
def test_request_body_limit_is_413(server):
    huge = b"#" * 1_100_000
    declared = web.post(server + "/sparql", content=huge, headers={"Content-Type": "application/sparql-query"})
    chunked = web.post(server + "/sparql", content=iter([huge[:600_000], huge[600_000:]]),
                         headers={"Content-Type": "application/sparql-query"})
    assert declared.status_code == 413
    assert chunked.status_code == 413


@pytest.mark.reliability(HOSTILE, "oversized request headers: 431, server carries on")
def test_oversized_headers_are_refused(server):
    response = web.get(server + "/", headers={"X-Padding": "a" * 70_000})
    assert response.status_code == 431
    assert web.get(server + "/").status_code == 200  # and the server carries on


@pytest.mark.reliability(HOSTILE, "path traversal outside the site (raw, encoded, double-encoded): 404")
@pytest.mark.parametrize("raw_path", [
    "/id/../../etc/passwd", "/sheets/../../../../etc/passwd", "/sheets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/sheets/..%2f..%2f..%2fetc%2fpasswd", "/id/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/downloads/..%2f..%2fetc%2fpasswd",
    "/sheets/%2fetc%2fpasswd",
])
def test_no_path_traversal(server, raw_path):
    host, port = server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", raw_path)  # sent exactly as written: no client-side normalisation
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    assert response.status == 404
    assert "root:" not in body


@pytest.mark.reliability(HOSTILE, "error answers leak no stack trace or file path")
def test_errors_leak_no_paths_or_tracebacks(server, built_store):
    responses = [
        web.get(server + "/sparql", params={"query": "SELECT"}),
        web.get(server + "/api/queries/alliances-left", params={"state": "Atlantis"}),
        web.get(server + "/api/queries/no-such-query"),
        web.get(server + "/sheets/no/such/page.html"),
        web.post(server + "/sparql", content=b"\xff\xfe", headers={"Content-Type": "application/sparql-query"}),
    ]
    assert [r.status_code for r in responses] == [400, 400, 404, 404, 400]
    for response in responses:
        assert_clean(response)
        assert str(built_store) not in response.text and str(ROOT) not in response.text


def assert_clean(response: httpx.Response) -> None:
    assert "Traceback" not in response.text and 'File "' not in response.text


# --- limits: timeout and result size -----------------------------------------------------------

@pytest.mark.reliability(HOSTILE, "cross-product query past the time limit: stopped (503), server responsive")
def test_timeout_stops_the_query_and_the_server_stays_responsive(built_store):
    with running_server(built_store, "--timeout", "4", "--workers", "1") as url:
        outcome: dict[str, object] = {}

        def runaway() -> None:
            started = time.monotonic()
            outcome["response"] = web.post(url + "/sparql", data={"query": CROSS_PRODUCT}, timeout=60)
            outcome["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.5)
        # While the runaway query holds the only worker, pages and canned queries still answer at once
        # (blocked behind it, they would take the 3.5 s it has left).
        for path in ("/", "/api/queries/alliances-left.json", "/id/armenia.ttl"):
            started = time.monotonic()
            assert web.get(url + path, timeout=30).status_code == 200
            assert time.monotonic() - started < 2, path
        thread.join()
        response = outcome["response"]
        assert response.status_code == 503
        assert "stopped after 4 s" in response.text
        assert 3.5 < outcome["seconds"] < 10
        # The killed worker is replaced: the next query runs normally.
        after = web.get(url + "/sparql", params={"query": ASK_YES}, timeout=30)
        assert after.status_code == 200 and after.json()["boolean"] is True


@pytest.mark.reliability(HOSTILE, "answer over the result-size cap: 400")
def test_result_size_cap(built_store):
    with running_server(built_store, "--max-rows", "10") as url:
        too_many = web.get(url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        enough = web.get(url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
        assert too_many.status_code == 400 and "more than 10 results" in too_many.text
        assert enough.status_code == 200 and len(enough.json()["results"]["bindings"]) == 10


# --- canned queries as an HTTP API -------------------------------------------------------------

def test_catalog_matches_cli(server, built_store):
    expected = json.loads(cli_bytes("queries", "--format", "json", store=built_store))
    served = web.get(server + "/api/queries").json()
    assert [{k: v for k, v in q.items() if k != "url"} for q in served] == expected
    assert served[0]["url"] == f"/api/queries/{expected[0]['name']}"


def test_every_canned_query_matches_diplokg_ask(server, built_store):
    def compare(name: str) -> None:
        expected = json.loads(cli_bytes("ask", name, "--format", "json", store=built_store))
        by_accept = web.get(f"{server}/api/queries/{name}", headers={"Accept": "application/sparql-results+json"})
        by_suffix = web.get(f"{server}/api/queries/{name}.json")
        assert by_accept.json() == expected, name
        assert by_suffix.json() == expected, name

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(compare, [q.name for q in CATALOG]))


def test_canned_parameters_resolve_as_in_the_cli(server, built_store):
    cli = cli_bytes("ask", "organisation-members", "-p", "organisation=CSTO", "--format", "csv", store=built_store)
    served = web.get(server + "/api/queries/organisation-members.csv", params={"organisation": "CSTO"})
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/csv")
    assert served.content == cli
    bad = diplokg("ask", "alliances-left", "-p", "state=Armenai", store=built_store)
    served_bad = web.get(server + "/api/queries/alliances-left", params={"state": "Armenai"})
    assert served_bad.status_code == 400
    assert served_bad.text.strip() == bad.stderr.removeprefix("error:").strip()
    unknown = web.get(server + "/api/queries/alliances-left", params={"country": "Armenia"})
    assert unknown.status_code == 400 and "has no parameter country" in unknown.text


def test_canned_answer_as_html(server):
    page = web.get(server + "/api/queries/alliances-left", params={"state": "Armenia"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<table>" in page.text and "Collective Security Treaty Organization" in page.text


# --- linked data -------------------------------------------------------------------------------

def entity_description(iri: str, store: Path) -> rdflib.Graph:
    text = DESCRIBE_ENTITY.replace("?entity", f"<{iri}>")
    return graph_of(cli_bytes("query", "-e", text, "--format", "ttl", store=store), "turtle")


@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
])
def test_entity_conneg_parses_back_to_its_description(server, built_store, accept, rdflib_format):
    response = web.get(server + "/id/armenia", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    served = graph_of(response.content, rdflib_format)
    expected = entity_description(ARMENIA, built_store)
    assert isomorphic(served, expected)
    # The description holds the links' labels and the provenance, not only the entity's own triples.
    dip = rdflib.Namespace("https://w3id.org/diplokg/ontology#")
    csto = rdflib.URIRef("https://w3id.org/diplokg/id/csto")
    assert (None, rdflib.RDFS.label, None) in served
    assert any(True for _ in served.triples((None, dip.quote, None))) or (csto, rdflib.RDFS.label, None) in served


def test_entity_suffix_chooses_the_format(server, built_store):
    served = graph_of(web.get(server + "/id/armenia.nt").content, "nt")
    assert isomorphic(served, entity_description(ARMENIA, built_store))


def test_entity_html_is_its_fact_sheet(server, built_store, tmp_path):
    run = diplokg("sheets", "-o", str(tmp_path / "site"), store=built_store)
    assert run.code == 0, run.output
    redirect = web.get(server + "/id/armenia", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert redirect.status_code == 303
    page = redirect.headers["location"]
    assert page.startswith("/sheets/")
    served = web.get(server + page)
    assert served.status_code == 200
    assert served.text == (tmp_path / "site" / page.removeprefix("/sheets/")).read_text(encoding="utf-8")
    style = web.get(server + "/sheets/style.css")  # the page's relative links work from the server too
    assert style.status_code == 200 and style.text == (tmp_path / "site" / "style.css").read_text(encoding="utf-8")


def test_entity_without_a_sheet_gets_an_html_description(server):
    statuses = web.get(server + "/sparql", params={
        "query": "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), 'https://w3id.org/diplokg/status/')) } LIMIT 1"})
    iri = statuses.json()["results"]["bindings"][0]["s"]["value"]
    page = web.get(server + "/" + iri.removeprefix("https://w3id.org/diplokg/"), headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert iri in page.text


def test_ontology_iri(server, built_store):
    ontology_graph = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/diplokg/graph/ontology> { ?s ?p ?o } }"
    expected = graph_of(cli_bytes("query", "-e", ontology_graph, "--format", "ttl", store=built_store), "turtle")
    turtle = web.get(server + "/ontology", headers={"Accept": "text/turtle"})
    assert isomorphic(graph_of(turtle.content, "turtle"), expected)
    html = web.get(server + "/ontology", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "dip:State" in html.text and "dip:memberOf" in html.text


# --- home page and downloads -------------------------------------------------------------------

def test_home_page_offers_every_canned_query_and_download(server):
    home = web.get(server + "/")
    assert home.status_code == 200
    for query in CATALOG:
        assert f'action="/api/queries/{query.name}.html"' in home.text
        for parameter in query.parameters:
            assert f'name="{parameter.name}"' in home.text
    assert 'action="/sparql"' in home.text and "/sheets/index.html" in home.text
    for fmt in ("ttl", "nt", "nq", "trig", "xml", "jsonld"):
        assert f"/downloads/diplokg.{fmt}" in home.text


@pytest.mark.parametrize("fmt", ["nq", "ttl"])
def test_downloads_equal_the_export(server, built_store, fmt):
    served = web.get(f"{server}/downloads/diplokg.{fmt}")
    assert served.status_code == 200
    assert served.content == cli_bytes("export", "--format", fmt, store=built_store)


# --- rebuilds and the remote backend -----------------------------------------------------------

def test_a_rebuild_is_served_without_restart(tmp_path, project_copy):
    store = tmp_path / "store"
    assert diplokg("build", store=store, project=project_copy).code == 0
    probe = 'ASK { ?s <http://www.w3.org/2004/02/skos/core#altLabel> "Hayastan (rebuild probe)" }'
    with running_server(store, project=project_copy) as url:
        assert web.get(url + "/sparql", params={"query": probe}).json()["boolean"] is False
        reference = next((project_copy / "data" / "reference").glob("*.ttl"))
        with open(reference, "a", encoding="utf-8") as handle:
            handle.write('\n<https://w3id.org/diplokg/id/armenia> '
                         '<http://www.w3.org/2004/02/skos/core#altLabel> "Hayastan (rebuild probe)" .\n')
        rebuilt = diplokg("build", store=store, project=project_copy)
        assert rebuilt.code == 0, rebuilt.output
        assert web.get(url + "/sparql", params={"query": probe}).json()["boolean"] is True
        canned = web.get(url + "/api/queries/entities-named.json", params={"name": "Hayastan (rebuild probe)"})
        assert canned.status_code == 200 and "armenia" in canned.text


def test_endpoint_option_against_diplokg_serve(server, built_store, tmp_path):
    """The remote backend speaks plain SPARQL Protocol: our own server is a fine remote store."""
    for name in ("alliances-left", "organisation-members", "state-timeline"):
        local = json.loads(cli_bytes("ask", name, "--format", "json", store=built_store))
        remote = diplokg("--endpoint", server + "/sparql", "ask", name, "--format", "json", store=tmp_path / "none")
        assert remote.code == 0, remote.output
        assert json.loads(remote.stdout) == local
    label = diplokg("ask", "alliances-left", "-p", "state=Armenia", "--endpoint", server + "/sparql",
                    "--format", "csv", store=tmp_path / "none")
    assert label.stdout.replace("\n", "\r\n").encode() == cli_bytes("ask", "alliances-left", "-p", "state=Armenia", "--format", "csv",
                                              store=built_store)


@pytest.mark.reliability(HOSTILE, "binds 127.0.0.1 unless told otherwise")
def test_serve_binds_loopback_by_default():
    from diplokg.cli import cli

    host = next(p for p in cli.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_serve_without_a_store_says_so(tmp_path):
    run = diplokg("serve", "--port", "1", store=tmp_path / "missing")
    assert run.code == 2
    assert "no store" in run.stderr and "diplokg build" in run.stderr
    assert_no_traceback(run)
