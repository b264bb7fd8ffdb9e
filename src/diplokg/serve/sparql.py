"""One SPARQL Protocol request, run inside a query worker: policy checks, the query, the answer's bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..query import Dataset, UpdateRefused, execute
from ..store import StoreLocation
from .negotiation import GRAPH_OFFERS, SOLUTION_OFFERS, negotiate

_SERVICE_WORD = re.compile(r"\bSERVICE\b", re.IGNORECASE)


@dataclass(frozen=True)
class QueryJob:
    """Everything a worker needs, picklable: which store generation, the query, how to answer."""

    store_link: str
    generation: str
    text: str
    dataset: Dataset | None
    accept: str | None
    max_rows: int
    allowed_services: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes

    @classmethod
    def error(cls, status: int, message: str) -> "Reply":
        return cls(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


class ServiceRefused(InputError):
    """A SERVICE call to an endpoint not on the allow-list (no server-side request forgery)."""


class StoreCache:
    """The worker's open store: reopened only when the server hands it a newer generation."""

    def __init__(self) -> None:
        self._generation: str | None = None
        self._store: ox.Store | None = None

    def store(self, job: QueryJob) -> ox.Store:
        if self._store is None or self._generation != job.generation:
            self._store = StoreLocation(Path(job.store_link)).open(Path(job.generation))
            self._generation = job.generation
        return self._store


def run_job(cache: StoreCache, job: QueryJob) -> Reply:
    """Answer one query, or say precisely why not; never raises for bad input."""
    try:
        check_services(job.text, job.allowed_services)
        result = execute(cache.store(job), job.text, dataset=job.dataset)
    except (UpdateRefused, ServiceRefused) as error:
        return Reply.error(403, str(error))
    except InputError as error:
        return Reply.error(400, str(error))
    size = len(result.triples) if result.kind == "graph" else len(result.rows)
    if size > job.max_rows:
        return Reply.error(400, f"the answer has more than {job.max_rows} results, the limit of this server; "
                                f"add a LIMIT or narrow the query")
    offers = GRAPH_OFFERS if result.kind == "graph" else SOLUTION_OFFERS
    # The server has checked that the client accepts some answer format. One that accepts only
    # results formats for a CONSTRUCT (rdflib's SPARQLStore with JSON, say) gets Turtle, as
    # from Fuseki or Virtuoso, rather than an error.
    offer = negotiate(job.accept, offers) or offers[0]
    return Reply(200, offer.content_type, result.serialize(offer.fmt))


def check_services(text: str, allowed: tuple[str, ...]) -> None:
    """Refuse SERVICE calls except to allow-listed endpoints; a query that cannot be checked is refused."""
    if not _SERVICE_WORD.search(text):
        return
    try:
        endpoints = _service_endpoints(text)
    except Exception:  # rdflib cannot read it: the engine might, so it must not run unchecked
        raise ServiceRefused("the query mentions SERVICE and could not be checked; SERVICE is restricted on this server") from None
    refused = sorted(endpoint for endpoint in endpoints if endpoint not in allowed)
    if refused:
        detail = "is off on this server" if not allowed else f"is only allowed to {', '.join(allowed)}"
        raise ServiceRefused(f"SERVICE {', '.join(refused)} refused: federated querying {detail}")


def _service_endpoints(text: str) -> set[str]:
    """Every SERVICE target of the query; a variable target is reported as such and never allowed."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.term import Variable

    found: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if getattr(node, "name", None) == "ServiceGraphPattern":
                term = node.get("term")
                found.add(f"?{term}" if isinstance(term, Variable) else str(term))
            for value in node.values():
                visit(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                visit(value)

    visit(translateQuery(parseQuery(text)).algebra)
    return found
