"""Counts that describe a store: triples per graph, instances per class."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

_PER_GRAPH = "SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"
_PER_CLASS = """
SELECT ?class (COUNT(DISTINCT ?instance) AS ?instances)
WHERE { ?instance a ?class . FILTER(isIRI(?class)) }
GROUP BY ?class ORDER BY DESC(?instances) ?class"""


@dataclass(frozen=True)
class Stats:
    triples_per_graph: dict[str, int]
    instances_per_class: dict[str, int]


def stats(store: ox.Store) -> Stats:
    per_graph = {row["graph"].value: int(row["triples"].value) for row in store.query(_PER_GRAPH)}
    per_class = {
        row["class"].value: int(row["instances"].value)
        for row in store.query(_PER_CLASS, use_default_graph_as_union=True)
    }
    return Stats(per_graph, per_class)
