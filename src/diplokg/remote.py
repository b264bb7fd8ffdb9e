"""Existing triple stores: run diplokg's queries on a SPARQL endpoint, and push the graphs to one.

Two differences from the embedded store are handled here:

- Parameters cannot be substituted on the server, so bound terms become a
  ``VALUES`` block at the top of the query's WHERE clause, each term written by
  pyoxigraph's serialiser (escaped N-Triples syntax), never pasted from input.
- What a query without FROM sees differs per store (Virtuoso adds its system
  graphs, Fuseki and GraphDB see only their default graph), so every query is
  sent with an explicit dataset: diplokg's named graphs as both the default
  graph (their merge, as the embedded store's union) and the named graphs.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import httpx
import pyoxigraph as ox

from .errors import DiplokgError, InputError
from .namespaces import GRAPH
from .query import QueryResult, Term, declares_dataset, result_of

TIMEOUT_SECONDS = 120.0
_SOLUTIONS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
_GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8, application/rdf+xml;q=0.5"
_PARSED_RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
}
_PARSED_GRAPHS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_GRAPHS = f"""SELECT DISTINCT ?graph WHERE {{
  GRAPH ?graph {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?graph), "{GRAPH}"))
}} ORDER BY ?graph"""
_QUADS = "SELECT ?graph ?s ?p ?o WHERE { GRAPH ?graph { ?s ?p ?o } }"
# The query form, after any PREFIX / BASE declarations and comments.
_PROLOGUE = re.compile(r"^(?:\s+|#[^\n]*\n|PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)*", re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


class EndpointError(DiplokgError):
    """The remote SPARQL endpoint could not be reached or refused the request."""


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: what kind of answer to ask the server for."""
    form = _FORM.match(text, _PROLOGUE.match(text).end())
    if form is None:
        raise InputError("the query must start (after PREFIX/BASE) with SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form.group(1).upper()


def bind_values(text: str, substitutions: dict[str, Term]) -> str:
    """The query with a VALUES block binding each variable, opening its outermost WHERE group."""
    if not substitutions:
        return text
    cells = []
    for name, term in substitutions.items():
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise InputError(f"{name!r} is not a SPARQL variable name")
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise InputError(f"{name}: only IRIs and literals can be bound on a remote endpoint, not {term!r}")
        cells.append(str(term))  # pyoxigraph writes the term in N-Triples syntax, escaped
    names = " ".join(f"?{name}" for name in substitutions)
    block = f" VALUES ({names}) {{ ({' '.join(cells)}) }} "
    start = _PROLOGUE.match(text).end()
    where = _WHERE.search(text, start)
    if where is not None:
        opening = where.end()
    else:  # ASK { … }, SELECT * { … }: the first group after the query form
        opening = text.find("{", start) + 1
        if opening == 0:
            raise InputError("cannot bind parameters: the query has no WHERE group")
    return text[:opening] + block + text[opening:]


class RemoteBackend:
    """A SPARQL 1.1 Protocol endpoint holding graphs pushed by ``diplokg push``."""

    def __init__(self, endpoint: str, client: httpx.Client | None = None):
        self.endpoint = endpoint
        self._client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True)

    @cached_property
    def graphs(self) -> list[str]:
        """diplokg's named graphs on the server, found once: the dataset every query runs over."""
        result = self._send(_GRAPHS, "SELECT", dataset=False)
        graphs = [row[0].value for row in result.rows]
        if not graphs:
            raise EndpointError(f"{self.endpoint} holds no diplokg graphs (under {GRAPH}); run `diplokg push` first")
        return graphs

    def query(self, text: str, substitutions: dict[str, Term] | None = None) -> QueryResult:
        bound = bind_values(text, substitutions or {})
        return self._send(bound, query_form(bound), dataset=not declares_dataset(bound))

    def quads(self) -> Iterator[ox.Quad]:
        for graph, subject, predicate, obj in self._send(_QUADS, "SELECT", dataset=True).rows:
            yield ox.Quad(subject, predicate, obj, graph)

    def _send(self, text: str, form: str, dataset: bool) -> QueryResult:
        fields: list[tuple[str, str]] = [("query", text)]
        if dataset:
            fields += [("default-graph-uri", g) for g in self.graphs]
            fields += [("named-graph-uri", g) for g in self.graphs]
        accept = _GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else _SOLUTIONS_ACCEPT
        try:
            response = self._client.post(self.endpoint, content=urllib.parse.urlencode(fields), headers={
                "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        except httpx.HTTPError as error:
            raise EndpointError(f"cannot reach SPARQL endpoint {self.endpoint}: {error}") from None
        if response.status_code >= 400:
            detail = " ".join(response.text.split())[:500]
            raise EndpointError(f"SPARQL endpoint {self.endpoint} answered {response.status_code}: {detail}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media_type in _PARSED_RESULTS:
                content = response.content
                if _PARSED_RESULTS[media_type] == ox.QueryResultsFormat.JSON:
                    content = _portable_blank_nodes(content)
                return result_of(ox.parse_query_results(content, format=_PARSED_RESULTS[media_type]))
            if media_type in _PARSED_GRAPHS:
                return result_of(ox.parse(response.content, format=_PARSED_GRAPHS[media_type]))
        except SyntaxError as error:
            raise EndpointError(f"SPARQL endpoint {self.endpoint} sent an unreadable {media_type} answer: {error}") from None
        raise EndpointError(f"SPARQL endpoint {self.endpoint} answered in an unexpected format {media_type!r}")


def _portable_blank_nodes(content: bytes) -> bytes:
    """SPARQL JSON with blank-node labels any parser reads (Virtuoso writes `nodeID://b123`)."""
    if b'"bnode"' not in content:
        return content
    answer = json.loads(content)
    for binding in answer.get("results", {}).get("bindings", []):
        for term in binding.values():
            if term.get("type") == "bnode":
                term["value"] = "b" + term["value"].encode("utf-8").hex()  # injective: no two labels merge
    return json.dumps(answer).encode("utf-8")


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str


@dataclass
class PushReport:
    graph_store: str
    triples_per_graph: dict[str, int]
    removed: list[str]


def push(quads: Iterable[ox.Quad], endpoint: str, graph_store: str | None = None,
         credentials: Credentials | None = None) -> PushReport:
    """Upload every named graph with a Graph Store Protocol PUT (an atomic replace on most servers).

    diplokg graphs on the server that the store no longer has (a removed
    document) are deleted afterwards, so the server ends up holding exactly
    the store's graphs.
    """
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        by_graph.setdefault(name, []).append(quad.triple)
    target = graph_store or endpoint
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, auth=_auth(target, credentials)) as client:
            for graph, triples in by_graph.items():
                body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
                params = {"graph": graph} if graph else {"default": ""}
                # N-Triples sent as Turtle (a subset of it): every Graph Store server reads text/turtle.
                response = client.put(target, params=params, content=body, headers={"Content-Type": "text/turtle"})
                _check(response, target, graph)
            stale = [g for g in RemoteBackend(endpoint).graphs if g not in by_graph]
            for graph in stale:
                _check(client.delete(target, params={"graph": graph}), target, graph)
    except httpx.HTTPError as error:
        raise EndpointError(f"cannot reach graph store {target}: {error}") from None
    return PushReport(target, {g: len(t) for g, t in by_graph.items()}, stale)


def _auth(target: str, credentials: Credentials | None) -> httpx.Auth | None:
    """Digest or Basic, whichever the server challenges with (Virtuoso uses Digest)."""
    if credentials is None:
        return None
    try:
        challenge = httpx.get(target, timeout=TIMEOUT_SECONDS).headers.get("www-authenticate", "")
    except httpx.HTTPError as error:
        raise EndpointError(f"cannot reach graph store {target}: {error}") from None
    if challenge.lower().startswith("digest"):
        return httpx.DigestAuth(credentials.user, credentials.password)
    return httpx.BasicAuth(credentials.user, credentials.password)


def _check(response: httpx.Response, target: str, graph: str) -> None:
    if response.status_code >= 400:
        detail = " ".join(response.text.split())[:300]
        hint = " (check --user/--password)" if response.status_code in (401, 403) else ""
        raise EndpointError(f"graph store {target} refused graph <{graph}>: {response.status_code} {detail}{hint}")
