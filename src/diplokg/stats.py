"""Counts that describe a store: triples per graph, instances per class."""

from __future__ import annotations

from dataclasses import dataclass

from .resolve import RunQuery

_PER_GRAPH = "SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph"
_PER_CLASS = """
SELECT ?class (COUNT(DISTINCT ?instance) AS ?instances)
WHERE { ?instance a ?class . FILTER(isIRI(?class)) }
GROUP BY ?class ORDER BY DESC(?instances) ?class"""


@dataclass(frozen=True)
class Stats:
    triples_per_graph: dict[str, int]
    instances_per_class: dict[str, int]


def stats(run: RunQuery) -> Stats:
    per_graph = {graph.value: int(triples.value) for graph, triples in run(_PER_GRAPH, {}).rows}
    per_class = {cls.value: int(instances.value) for cls, instances in run(_PER_CLASS, {}).rows}
    return Stats(per_graph, per_class)
