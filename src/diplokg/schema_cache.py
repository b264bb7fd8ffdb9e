"""owlrl's closure of the schema, cached on disk by the schema's checksum.

Closing the ontology's axioms with owlrl costs about a second on every build,
yet the ontology rarely changes. The closure is a pure function of the schema
triples and the owlrl version, so it is computed once per distinct schema and
read back afterwards. The cache lives in $DIPLOKG_CACHE, else
$XDG_CACHE_HOME/diplokg, else ~/.cache/diplokg; an unwritable or damaged cache
only costs the recomputation.
"""

from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox

from .load import STABLE_BLANK_NODE
from .namespaces import INFERRED_GRAPH
from .rules import close_with_owlrl

# Bump when what is cached, or how it is computed, changes.
_FORMAT = "schema-closure-2"


def cache_dir() -> Path:
    chosen = os.environ.get("DIPLOKG_CACHE")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "diplokg"


def closed_schema(schema: set[ox.Triple]) -> list[ox.Quad]:
    """What owlrl adds to ``schema``, as quads of the inferred graph: from the cache when possible."""
    key = schema_checksum(schema)
    if key is None:
        return close_with_owlrl(schema)
    cached = cache_dir() / f"{key}.nt"
    try:
        triples = ox.parse(path=cached, format=ox.RdfFormat.N_TRIPLES, rename_blank_nodes=False)
        return [ox.Quad(t.subject, t.predicate, t.object, INFERRED_GRAPH) for t in triples]
    except (OSError, SyntaxError):
        pass
    closure = close_with_owlrl(schema)
    _write_atomically(cached, ox.serialize([q.triple for q in closure], format=ox.RdfFormat.N_TRIPLES))
    return closure


def schema_checksum(schema: set[ox.Triple]) -> str | None:
    """A key naming the closure of ``schema``; None when a blank node label is not stable across builds."""
    for triple in schema:
        if any(isinstance(t, ox.BlankNode) and not STABLE_BLANK_NODE.fullmatch(t.value) for t in triple):
            return None
    digest = hashlib.sha256(f"{_FORMAT}\nowlrl {metadata.version('owlrl')}\n".encode())
    for line in sorted(str(triple) for triple in schema):
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError:
        pass  # a read-only home directory only means no cache
