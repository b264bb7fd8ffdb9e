"""Stage 3, reason: the OWL 2 RL closure of ontology + data, kept in its own named graph."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import rules, schema_cache
from .errors import InvalidInput, Problem
from .namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, OWL, RDF, RDFS, XSD, shorten

_ERROR = "http://www.daml.org/2002/03/agents/agent-ont#"
# Noise no query can use: statements about the RDF/RDFS/OWL/XSD vocabularies
# themselves (`rdf:type a rdf:Property`) and reflexive axioms owlrl adds for
# every term (`x owl:sameAs x`, `C rdfs:subClassOf C`). The test suite checks
# that every canned query answers the same with and without them.
_VOCABULARY_NAMESPACES = (RDF, RDFS, OWL, XSD)
_REFLEXIVE = tuple(
    ox.NamedNode(iri)
    for iri in (
        OWL + "sameAs",
        OWL + "equivalentClass",
        OWL + "equivalentProperty",
        RDFS + "subClassOf",
        RDFS + "subPropertyOf",
    )
)
# owlrl derives triples that another graph asserts already; the inferred graph
# keeps only new triples.
_DROP_ASSERTED = f"""
DELETE {{ GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }} }}
WHERE {{
  GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }}
  GRAPH ?asserted {{ ?s ?p ?o }}
  FILTER(?asserted != <{INFERRED_GRAPH.value}>)
}}"""
_VOCABULARY_TEST = " || ".join(f'STRSTARTS(STR(?s), "{ns}")' for ns in _VOCABULARY_NAMESPACES)
_REFLEXIVE_VALUES = " ".join(f"<{p.value}>" for p in _REFLEXIVE)
_DROP_NOISE = f"""
DELETE {{ GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }} }}
WHERE {{
  {{ GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }} FILTER(isIRI(?s) && ({_VOCABULARY_TEST})) }}
  UNION
  {{ VALUES ?p {{ {_REFLEXIVE_VALUES} }} GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?s }} BIND(?s AS ?o) }}
}}"""
_INFERRED_BY_PREDICATE = f"""
SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }} }} GROUP BY ?p"""


@dataclass(frozen=True)
class Inference:
    """What the reasoner added to the inferred graph."""

    triples: int
    by_predicate: dict[str, int]
    vocabulary_noise_dropped: int


ENGINES = ("rules", "owlrl")


Locator = Callable[[ox.NamedNode | ox.BlankNode], tuple[Path | None, int | None]]


def reason(store: ox.Store, *, engine: str = "rules", keep_vocabulary_noise: bool = False,
           locate: Locator | None = None, stop: threading.Event | None = None) -> Inference:
    """Compute the OWL 2 RL closure of everything in ``store`` into its inferred graph.

    ``engine`` "owlrl" runs the reference reasoner over everything; "rules"
    (the default) lets owlrl close the schema only and applies the instance
    rules as SPARQL updates in the store — the same closure, much faster —
    falling back to owlrl for ontologies it does not cover.
    Raises InvalidInput when the data contradicts the ontology; ``locate``
    maps an offending individual to the file and line that describe it.
    ``stop``, once set, makes the "rules" engine give up (rules.Stopped).
    """
    schema = rules.schema_triples(rules.schema_candidates(store), ONTOLOGY_GRAPH)
    if engine == "rules" and rules.supports(schema):
        store.extend(schema_cache.closed_schema(schema))
        # Only the schema closure can repeat an asserted triple: the rules never
        # insert what a graph holds. Dropping them now joins a few thousand triples.
        store.update(_DROP_ASSERTED)
        rules.close_instances(store, stop)
        contradictions = [_contradiction(node, message, locate) for node, message in rules.violations(store)]
    else:
        _owlrl_closure(store)
        store.update(_DROP_ASSERTED)
        contradictions = []
    contradictions += [Problem(None, f"the data contradicts the ontology (OWL 2 RL): {m}") for m in _owlrl_errors(store)]
    if contradictions:
        raise InvalidInput(contradictions)
    dropped = 0 if keep_vocabulary_noise else _drop_vocabulary_noise(store)
    counts = {row["p"].value: int(row["n"].value) for row in store.query(_INFERRED_BY_PREDICATE)}
    return Inference(sum(counts.values()), dict(sorted(counts.items())), dropped)


def _contradiction(node: ox.NamedNode | ox.BlankNode, message: str, locate: Locator | None) -> Problem:
    file, line = locate(node) if locate else (None, None)
    return Problem(file, f"the data contradicts the ontology (OWL 2 RL): {message}", line, focus=shorten(node.value))


def _owlrl_closure(store: ox.Store) -> None:
    # owlrl runs on an rdflib copy: its adapter for pyoxigraph stores does not
    # see triples in named graphs when testing membership, so it re-derives
    # asserted triples and misses disjointness violations (cax-dw).
    store.extend(rules.close_with_owlrl(q.triple for q in store.quads_for_pattern(None, None, None, None)))


def _owlrl_errors(store: ox.Store) -> list[str]:
    """The inconsistencies owlrl reports, as it does: err:ErrorMessage nodes in its output."""
    messages = store.query(
        f"""SELECT ?text WHERE {{ GRAPH <{INFERRED_GRAPH.value}> {{
              ?message a <{_ERROR}ErrorMessage> ; <{_ERROR}error> ?text }} }}"""
    )
    return sorted(row["text"].value for row in messages)


def _drop_vocabulary_noise(store: ox.Store) -> int:
    before = _inferred_triples(store)
    store.update(_DROP_NOISE)
    return before - _inferred_triples(store)


def _inferred_triples(store: ox.Store) -> int:
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }} }}")))["n"].value)
