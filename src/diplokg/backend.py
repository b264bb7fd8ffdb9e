"""Where queries run: the embedded store or a remote SPARQL endpoint, behind one small interface.

KnowledgeGraph, and through it ask, sheets, export and stats, only ever call
``query`` and ``quads``, so the same code answers from either.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import pyoxigraph as ox

from .query import QueryResult, Term, execute


class Backend(Protocol):
    def query(self, text: str, substitutions: dict[str, Term] | None = None) -> QueryResult:
        """Run a read-only query over the union of the graphs, with variables bound to terms."""

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of every graph."""


class LocalBackend:
    """The embedded pyoxigraph store (opened read-only)."""

    def __init__(self, store: ox.Store):
        self.store = store

    def query(self, text: str, substitutions: dict[str, Term] | None = None) -> QueryResult:
        return execute(self.store, text, substitutions)

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self.store.quads_for_pattern(None, None, None, None))
