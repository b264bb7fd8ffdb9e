"""The Python API: the same operations as the CLI, for notebooks and scripts.

    >>> import diplokg
    >>> kg = diplokg.build()                      # or diplokg.open()
    >>> kg.ask("alliances-left", state="Armenia").records()
    >>> kg.ask("Which alliances did Armenia leave?").records()
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from . import export as export_stage
from .backend import Backend, LocalBackend
from .canned import CannedQuery, load_catalog
from .errors import InputError
from .pipeline import BuildReport, StageListener
from .pipeline import build as run_build
from .project import Project
from .query import QueryResult, Term
from .questions import interpret
from .resolve import EntityResolver
from .stats import Stats, stats
from .store import StoreLocation

PathLike = str | os.PathLike[str] | None
_OPENED = {"store", "backend", "catalog", "resolver"}  # cached on first use, never pickled


@dataclass(frozen=True)
class Answer:
    """A canned query's answer with what it was asked with."""

    query: CannedQuery
    bindings: dict[str, Term]
    result: QueryResult
    form: str | None = None  # the question form, when asked in words

    def records(self) -> list[dict[str, object]]:
        return self.result.records()


class KnowledgeGraph:
    """A built store (or a remote SPARQL endpoint holding it) plus the project's canned queries."""

    last_build: BuildReport | None = None

    def __init__(self, store: PathLike = None, project: PathLike = None, endpoint: str | None = None,
                 generation: Path | None = None):
        """``endpoint``: a SPARQL endpoint to query instead of the store. ``generation``: one
        generation of the store to stay on while newer builds are published (the server's)."""
        self.location = StoreLocation.resolve(store)
        self.project = Project.locate(project)
        self.endpoint = endpoint
        self.generation = generation

    @cached_property
    def backend(self) -> Backend:
        """Where queries run: the endpoint when given, else the embedded store."""
        if self.endpoint:
            from .remote import RemoteBackend  # HTTP client only when a remote store is used

            return RemoteBackend(self.endpoint)
        return LocalBackend(self.store)

    def __getstate__(self) -> dict:
        # Sent to worker processes without its open store and caches: each reopens its own.
        return {k: v for k, v in self.__dict__.items() if k not in _OPENED}

    @cached_property
    def store(self) -> ox.Store:
        """The embedded store itself (local graphs only)."""
        return self.location.open(self.generation)

    @cached_property
    def catalog(self) -> list[CannedQuery]:
        return load_catalog(self.project.queries_dir)

    @cached_property
    def resolver(self) -> EntityResolver:
        return EntityResolver(self.backend.query)

    def query(self, text: str, **bindings: Term) -> QueryResult:
        """Run a read-only SPARQL query; keyword arguments bind variables to RDF terms."""
        return self.backend.query(text, bindings)

    def canned(self, name: str) -> CannedQuery:
        for query in self.catalog:
            if query.name == name:
                return query
        known = ", ".join(q.name for q in self.catalog)
        raise InputError(f"no canned query named {name!r}; known queries: {known}")

    def ask(self, name_or_question: str, **params: str) -> Answer:
        """Run a canned query by name with parameters, or answer a question in words."""
        if any(q.name == name_or_question for q in self.catalog):
            query = self.canned(name_or_question)
            return self._run(query, self.bind(query, params))
        if params:
            raise InputError(f"no canned query named {name_or_question!r}")
        reading = interpret(name_or_question, self.catalog, self.resolver)
        return self._run(reading.query, self.bind(reading.query, {}, reading.terms), reading.form)

    def bind(self, query: CannedQuery, values: dict[str, str], terms: dict[str, Term] | None = None) -> dict[str, Term]:
        """Every parameter as an RDF term: given terms, else resolved values, else the default."""
        unknown = set(values) - {p.name for p in query.parameters}
        if unknown:
            declared = ", ".join(p.name for p in query.parameters) or "none"
            raise InputError(f"{query.name} has no parameter {', '.join(sorted(unknown))}; its parameters: {declared}")
        bound = dict(terms or {})
        for parameter in query.parameters:
            if parameter.name not in bound:
                value = values.get(parameter.name, parameter.default)
                bound[parameter.name] = self.resolver.term(parameter, value)
        return bound

    def run(self, query: CannedQuery, bindings: dict[str, Term]) -> QueryResult:
        """A canned query's result with its parameters bound to terms (see ``bind``)."""
        return self.backend.query(query.text_for(bindings), bindings)

    def _run(self, query: CannedQuery, bindings: dict[str, Term], form: str | None = None) -> Answer:
        return Answer(query, bindings, self.run(query, bindings), form)

    def export(self, fmt: str, output: BinaryIO, graphs: str = "all") -> None:
        export_stage.export(self.backend.quads(), fmt, output, graphs)

    def stats(self) -> Stats:
        return stats(self.backend.query)


def build(store: PathLike = None, project: PathLike = None, on_stage: StageListener | None = None,
          engine: str = "rules") -> KnowledgeGraph:
    """Build the project's graph into a fresh store and return it, opened.

    ``engine`` chooses the reasoner: "rules" (fast, the default) or "owlrl" (the reference).
    """
    graph = KnowledgeGraph(store, project)
    graph.last_build = run_build(graph.project, graph.location, on_stage, engine)
    return graph


def open(store: PathLike = None, project: PathLike = None,  # noqa: A001 - mirrors io.open
         endpoint: str | None = None) -> KnowledgeGraph:
    """Open an existing store (built earlier), or a SPARQL endpoint it was pushed to, for querying."""
    return KnowledgeGraph(store, project, endpoint)
