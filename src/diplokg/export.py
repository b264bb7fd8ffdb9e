"""Export the store's graphs as RDF files for other linked-data tools."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import pyoxigraph as ox

from .errors import InputError
from .namespaces import INFERRED_GRAPH, PREFIXES

FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
SELECTIONS = ("asserted", "inferred", "all")


def selected_quads(quads: Iterable[ox.Quad], graphs: str) -> Iterator[ox.Quad]:
    """The quads of the asserted graphs, of the inferred graph, or of all graphs."""
    if graphs not in SELECTIONS:
        raise InputError(f"--graphs must be one of {', '.join(SELECTIONS)}, not {graphs!r}")
    for quad in quads:
        inferred = quad.graph_name == INFERRED_GRAPH
        if graphs == "all" or (graphs == "inferred") == inferred:
            yield quad


def export(quads: Iterable[ox.Quad], fmt: str, output: BinaryIO, graphs: str = "all") -> None:
    """Write the selected graphs to ``output``.

    Dataset formats (N-Quads, TriG, JSON-LD) keep every named graph; triple
    formats (Turtle, N-Triples, RDF/XML) hold the merge of the selected graphs.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    rdf_format = FORMATS[fmt]
    quads = selected_quads(quads, graphs)
    if rdf_format.supports_datasets:
        ox.serialize(quads, output, format=rdf_format, prefixes=_prefixes(rdf_format))
    else:
        triples = dict.fromkeys(q.triple for q in quads)
        ox.serialize(triples, output, format=rdf_format, prefixes=_prefixes(rdf_format))


def _prefixes(rdf_format: ox.RdfFormat) -> dict[str, str] | None:
    # N-Triples and N-Quads have no prefixes; the others read better with them.
    return None if rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS) else PREFIXES
