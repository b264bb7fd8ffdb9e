"""The HTTP application: SPARQL 1.1 Protocol, canned queries as an API, linked data, fact sheets, downloads.

Ad-hoc SPARQL (untrusted and possibly unbounded) runs in the worker pool with a
time limit; everything else runs diplokg's own bounded queries in threads of
this process, against the snapshot of the generation current when the request
started.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
import urllib.parse
from collections.abc import AsyncIterator, Callable
from pathlib import Path, PurePosixPath
from typing import TypeVar

import anyio
import jinja2
import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import InputError
from ..export import FORMATS as EXPORT_FORMATS
from ..namespaces import BASE, GRAPH, ONTOLOGY, ONTOLOGY_GRAPH, PREFIXES, shorten
from ..project import Project
from ..query import Dataset, QueryResult
from ..store import StoreLocation, StoreMissing
from .limits import MAX_HEADER_BYTES, RequestLimits
from .negotiation import GRAPH_OFFERS, HTML_OFFERS, SOLUTION_OFFERS, SUFFIXES, Offer, negotiate
from .pool import QueryPool
from .settings import ServeSettings
from .snapshots import DOWNLOAD_NAME, Snapshot, Snapshots
from .sparql import QueryJob

log = logging.getLogger("diplokg.serve")
T = TypeVar("T")
TEMPLATES = Path(__file__).parent / "templates"

# An entity's description: its own triples, the labels of what it links to, and its provenance
# (the evidence that cites it: source document and quoted sentence, with the document's label).
DESCRIBE_ENTITY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dip: <https://w3id.org/diplokg/ontology#>
CONSTRUCT {
  ?entity ?p ?o .
  ?linked rdfs:label ?linkedLabel .
  ?evidence ?evidenceProperty ?evidenceValue .
  ?source rdfs:label ?sourceLabel .
} WHERE {
  { ?entity ?p ?o }
  UNION { ?entity ?link ?linked . FILTER(isIRI(?linked)) ?linked rdfs:label ?linkedLabel }
  UNION { ?entity dip:evidence ?evidence . ?evidence ?evidenceProperty ?evidenceValue }
  UNION { ?entity dip:evidence/dip:source ?source . ?source rdfs:label ?sourceLabel }
}"""
ONTOLOGY_TRIPLES = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH.value}> {{ ?s ?p ?o }} }}"
ONTOLOGY_TERMS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?term ?kind (SAMPLE(?label) AS ?name) (SAMPLE(?comment) AS ?note) WHERE {{
  GRAPH <{ONTOLOGY_GRAPH.value}> {{
    VALUES (?type ?kind) {{ (owl:Class "class") (owl:ObjectProperty "object property")
                            (owl:DatatypeProperty "datatype property") }}
    ?term a ?type .
    FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{ONTOLOGY}"))
    OPTIONAL {{ ?term rdfs:label ?label }}
    OPTIONAL {{ ?term rdfs:comment ?comment }}
  }}
}} GROUP BY ?term ?kind ORDER BY ?kind ?term"""
_QUEUED_PER_WORKER = 8
_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def create_app(location: StoreLocation, project: Project, settings: ServeSettings = ServeSettings()) -> RequestLimits:
    """The ASGI application serving the store at ``location`` (following its rebuilds)."""
    server = _Server(location, project, settings)
    routes = [
        Route("/", server.home, methods=["GET", "HEAD"]),
        Route("/sparql", server.sparql, methods=["GET", "HEAD", "POST"]),
        Route("/api/queries", server.catalog, methods=["GET", "HEAD"]),
        Route("/api/queries/{name}", server.canned, methods=["GET", "HEAD"]),
        Route("/sheets/{path:path}", server.sheet, methods=["GET", "HEAD"]),
        Route("/downloads/{file}", server.download, methods=["GET", "HEAD"]),
        Route("/{path:path}", server.linked_data, methods=["GET", "HEAD"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                               allow_headers=["Accept", "Content-Type"], max_age=86400)],
        exception_handlers={HTTPException: _http_error, StoreMissing: _no_store, Exception: _internal_error},
        lifespan=server.lifespan,
    )
    return RequestLimits(app, settings.max_body)


def run(location: StoreLocation, project: Project, host: str, port: int, settings: ServeSettings) -> None:
    """Serve until interrupted: uvicorn, one asyncio process; SPARQL queries in the worker pool."""
    import uvicorn

    uvicorn.run(create_app(location, project, settings), host=host, port=port, log_level="warning",
                server_header=False, h11_max_incomplete_event_size=MAX_HEADER_BYTES)


class _Server:
    def __init__(self, location: StoreLocation, project: Project, settings: ServeSettings):
        self.location = location
        self.project = project
        self.settings = settings
        self.pool: QueryPool | None = None
        self.snapshots: Snapshots | None = None
        self.waiting_queries: anyio.CapacityLimiter | None = None
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                            undefined=jinja2.StrictUndefined)
        self.templates.filters["short"] = _short
        self.templates.filters["local"] = _local_link

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        cache = Path(tempfile.mkdtemp(prefix="diplokg-serve-"))
        self.snapshots = Snapshots(self.location, self.project, cache)
        # SPARQL requests waiting for a worker hold a thread each; capped apart from the threads
        # that serve pages and canned queries, so a flood of queries cannot starve those.
        self.waiting_queries = anyio.CapacityLimiter(self.settings.workers * _QUEUED_PER_WORKER)
        self.pool = await run_in_threadpool(QueryPool, self.settings.workers, self.settings.timeout)
        try:
            yield
        finally:
            self.pool.close()
            shutil.rmtree(cache, ignore_errors=True)

    def snapshot(self) -> Snapshot:
        assert self.snapshots is not None, "used before startup"
        return self.snapshots.current()

    # --- pages ---------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        snapshot = self.snapshot()
        graph = snapshot.graph
        return self._html("home.html", title="diplokg", catalog=graph.catalog,
                          downloads=[(fmt, f"/downloads/{DOWNLOAD_NAME}.{fmt}") for fmt in EXPORT_FORMATS],
                          generation=snapshot.generation.name, settings=self.settings)

    async def sheet(self, request: Request) -> Response:
        path = request.path_params["path"] or "index.html"
        site = await run_in_threadpool(self.snapshot().site)
        return FileResponse(_inside(site.out, path))

    async def download(self, request: Request) -> Response:
        name, _, fmt = request.path_params["file"].partition(".")
        if name != DOWNLOAD_NAME or fmt not in EXPORT_FORMATS:
            raise HTTPException(404, f"no download {request.path_params['file']!r}; "
                                     f"there is {DOWNLOAD_NAME}.EXT for EXT in {', '.join(EXPORT_FORMATS)}")
        file = await run_in_threadpool(self.snapshot().download, fmt)
        return FileResponse(file, media_type=EXPORT_FORMATS[fmt].media_type, filename=file.name)

    # --- canned queries ------------------------------------------------------------------------

    async def catalog(self, request: Request) -> Response:
        body = [dict(q.describe(), url=f"/api/queries/{q.name}") for q in self.snapshot().graph.catalog]
        return _json_response(body)

    async def canned(self, request: Request) -> Response:
        name, accept = _suffix_as_accept(request.path_params["name"], request.headers.get("accept"))
        graph = self.snapshot().graph
        try:
            query = graph.canned(name)
        except InputError as error:
            raise HTTPException(404, str(error)) from None
        values = _single_values(request.query_params.multi_items())

        def answer() -> QueryResult:
            return graph.run(query, graph.bind(query, values))

        result = await run_in_threadpool(_as_client_error(answer))
        offers = HTML_OFFERS + (GRAPH_OFFERS if result.kind == "graph" else SOLUTION_OFFERS)
        offer = _negotiated(accept, offers)
        if offer.fmt == "html":
            return self._html("answer.html", title=query.title, query=query, values=values, result=result)
        return Response(result.serialize(offer.fmt), media_type=offer.content_type, headers={"Vary": "Accept"})

    # --- SPARQL Protocol -----------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        fields = list(request.query_params.multi_items())
        text = None
        if request.method == "POST":
            media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if media_type == "application/sparql-update":
                raise HTTPException(403, "this endpoint is read-only: SPARQL Update is refused")
            if media_type == "application/x-www-form-urlencoded":
                fields += urllib.parse.parse_qsl(_utf8(body), keep_blank_values=True)
            elif media_type == "application/sparql-query":
                text = _utf8(body)
            else:
                raise HTTPException(415, f"POST a query as application/sparql-query or as a form "
                                         f"(application/x-www-form-urlencoded), not {media_type or 'no type'}")
        if any(key in ("update", "using-graph-uri", "using-named-graph-uri") for key, _ in fields):
            raise HTTPException(403, "this endpoint is read-only: SPARQL Update is refused")
        queries = [value for key, value in fields if key == "query"]
        if text is not None:
            queries.append(text)
        if not queries:
            if request.method == "POST":
                raise HTTPException(400, "no query: send it as the `query` parameter or as the body")
            return self._service_description(request)
        if len(queries) > 1:
            raise HTTPException(400, "more than one query in the request; send exactly one")
        accept = request.headers.get("accept")
        _negotiated(accept, SOLUTION_OFFERS + GRAPH_OFFERS)  # 406 before running a query nobody can read
        assert self.pool is not None and self.waiting_queries is not None
        job = QueryJob(str(self.location.link), str(self.snapshot().generation), queries[0],
                       _dataset(fields), accept, self.settings.max_rows, self.settings.allowed_services)
        if self.waiting_queries.available_tokens < 1:
            raise HTTPException(503, "too many SPARQL queries are waiting; try again shortly")
        reply = await anyio.to_thread.run_sync(self.pool.run, job, limiter=self.waiting_queries)
        return Response(reply.body, status_code=reply.status, media_type=reply.content_type,
                        headers={"Vary": "Accept"})

    def _service_description(self, request: Request) -> Response:
        offer = _negotiated(request.headers.get("accept"), GRAPH_OFFERS + HTML_OFFERS)
        if offer.fmt == "html":
            return RedirectResponse("/#sparql", status_code=303)
        sd = lambda name: ox.NamedNode(_SD + name)  # noqa: E731 - a local shorthand
        service, dataset, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
        endpoint = ox.NamedNode(str(request.url.replace(query="", fragment="")).rstrip("?"))
        a = ox.NamedNode(PREFIXES["rdf"] + "type")
        triples = [
            ox.Triple(service, a, sd("Service")),
            ox.Triple(service, sd("endpoint"), endpoint),
            ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
            ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
            ox.Triple(service, sd("defaultDataset"), dataset),
            ox.Triple(dataset, a, sd("Dataset")),
            ox.Triple(dataset, sd("defaultGraph"), default),
            ox.Triple(default, a, sd("Graph")),
        ]
        triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(_FORMATS_NS + f)) for f in _RESULT_FORMATS]
        for graph in self.snapshot().graph.stats().triples_per_graph:
            named = ox.BlankNode()
            triples += [ox.Triple(dataset, sd("namedGraph"), named), ox.Triple(named, sd("name"), ox.NamedNode(graph))]
        return Response(QueryResult("graph", triples=triples).serialize(offer.fmt), media_type=offer.content_type,
                        headers={"Vary": "Accept"})

    # --- linked data ---------------------------------------------------------------------------

    async def linked_data(self, request: Request) -> Response:
        path, accept = _suffix_as_accept(_checked(request.path_params["path"]), request.headers.get("accept"))
        iri = BASE + path
        if iri == ONTOLOGY:
            return await self._ontology(accept)
        graph = self.snapshot().graph
        try:
            entity = ox.NamedNode(iri)
        except ValueError:
            raise HTTPException(404, f"{path!r} names nothing here") from None
        description = await run_in_threadpool(graph.query, DESCRIBE_ENTITY, entity=entity)
        if description.is_empty():
            raise HTTPException(404, f"no entity <{iri}> in this graph")
        offer = _negotiated(accept, HTML_OFFERS + GRAPH_OFFERS)
        if offer.fmt != "html":
            return Response(description.serialize(offer.fmt), media_type=offer.content_type, headers={"Vary": "Accept"})
        site = await run_in_threadpool(self.snapshot().site)
        page = site.page_paths.get(iri)
        if page is not None:  # the entity itself is not a document: 303 to the page about it
            return RedirectResponse(f"/sheets/{page}", status_code=303, headers={"Vary": "Accept"})
        triples = sorted(description.triples, key=lambda t: (t.subject != entity, str(t.predicate), str(t.object)))
        return self._html("entity.html", title=shorten(iri), iri=iri, triples=triples, entity=entity)

    async def _ontology(self, accept: str | None) -> Response:
        graph = self.snapshot().graph
        offer = _negotiated(accept, HTML_OFFERS + GRAPH_OFFERS)
        if offer.fmt != "html":
            triples = await run_in_threadpool(graph.query, ONTOLOGY_TRIPLES)
            return Response(triples.serialize(offer.fmt), media_type=offer.content_type, headers={"Vary": "Accept"})
        terms = await run_in_threadpool(graph.query, ONTOLOGY_TERMS)
        return self._html("ontology.html", title="diplokg ontology", terms=terms.records(), ontology=ONTOLOGY)

    def _html(self, template: str, **context: object) -> Response:
        html = self.templates.get_template(template).render(graph_base=GRAPH, **context)
        return Response(html, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"})


def _suffix_as_accept(name: str, accept: str | None) -> tuple[str, str | None]:
    """`armenia.ttl` is `armenia` asked for as Turtle: a suffix overrides the Accept header."""
    stem, dot, suffix = name.rpartition(".")
    if dot and "/" not in suffix and f".{suffix}" in SUFFIXES:
        return stem, SUFFIXES[f".{suffix}"]
    return name, accept


def _negotiated(accept: str | None, offers: tuple[Offer, ...]) -> Offer:
    offer = negotiate(accept, offers)
    if offer is None:
        choices = ", ".join(dict.fromkeys(o.media_type for o in offers))
        raise HTTPException(406, f"cannot answer in any of the accepted types ({accept}); available: {choices}")
    return offer


def _checked(path: str) -> str:
    """``path`` if it is a plain relative path (no .., no absolute or odd parts), else 404."""
    parts = PurePosixPath(path).parts
    if (not path or "\\" in path or "\x00" in path or path.startswith("/") or path != path.strip()
            or any(part in ("..", ".") for part in parts)):
        raise HTTPException(404, "no such page")
    return path


def _inside(root: Path, path: str) -> Path:
    """The file ``root/path``, which must exist and stay inside ``root`` after symbolic links, else 404."""
    target = (root / _checked(path)).resolve()
    if not target.is_relative_to(root.resolve()) or not target.is_file():
        raise HTTPException(404, "no such page")
    return target


def _dataset(fields: list[tuple[str, str]]) -> Dataset | None:
    defaults = tuple(value for key, value in fields if key == "default-graph-uri")
    named = tuple(value for key, value in fields if key == "named-graph-uri")
    if not defaults and not named:
        return None
    for iri in defaults + named:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise HTTPException(400, f"default-graph-uri / named-graph-uri {iri!r} is not an IRI") from None
    return Dataset(defaults, named)


def _single_values(items: list[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in items:
        if key in values:
            raise HTTPException(400, f"parameter {key!r} is given more than once")
        values[key] = value
    return values


def _as_client_error(work: Callable[[], T]) -> Callable[[], T]:
    """Bad parameters (unknown, ambiguous, ill-typed) become a 400 with the resolver's message."""

    def guarded() -> T:
        try:
            return work()
        except InputError as error:
            raise HTTPException(400, str(error)) from None

    return guarded


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the request body is not UTF-8") from None


def _short(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _local_link(iri: str) -> str:
    """Links to diplokg IRIs stay on this server; other web IRIs go where they point; no others
    (an IRI like javascript:… is valid RDF but must never become a link)."""
    if iri.startswith(BASE):
        return "/" + iri[len(BASE):]
    return iri if iri.startswith(("http://", "https://")) else ""


def _json_response(data: object) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json")


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return PlainTextResponse(f"{error.detail}\n", status_code=error.status_code, headers=error.headers)


async def _no_store(request: Request, error: Exception) -> Response:
    return PlainTextResponse("no graph is built yet; run `diplokg build`\n", status_code=503)


async def _internal_error(request: Request, error: Exception) -> Response:
    # The details (which may name files) go to the server's log, never to the client.
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=error)
    return PlainTextResponse("internal server error\n", status_code=500)
