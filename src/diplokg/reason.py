"""Stage 3, reason: the OWL 2 RL closure of ontology + data, kept in its own named graph."""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from dataclasses import dataclass

import owlrl
import pyoxigraph as ox
import rdflib
from owlrl.graph_abstraction import DataGraph

from .errors import InvalidInput, Problem
from .namespaces import INFERRED_GRAPH, OWL, RDF, RDFS, XSD

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
# owlrl's pyoxigraph adapter does not see that some triples it derives are
# already asserted in a named graph; the inferred graph keeps only new ones.
_DROP_ASSERTED = f"""
DELETE {{ GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }} }}
WHERE {{
  GRAPH <{INFERRED_GRAPH.value}> {{ ?s ?p ?o }}
  GRAPH ?asserted {{ ?s ?p ?o }}
  FILTER(?asserted != <{INFERRED_GRAPH.value}>)
}}"""


class _StoreGraph(DataGraph):
    """owlrl's view of a pyoxigraph store that also remembers generalized triples.

    owlrl derives triples with a literal subject (``"2024"^^xsd:gYear a
    xsd:gYear``). They are not RDF, so the store cannot hold them; but owlrl
    stops only when a round derives nothing it has not seen, so they are kept
    here, outside the store, until the closure is done.
    """

    def __new__(cls, store: ox.Store, locked_context: str | None = None):
        self = super().__new__(cls, store, locked_context)
        self.generalized = set()
        store_add = self.add

        def add(triple):
            if isinstance(triple[0], rdflib.Literal):
                self.generalized.add(triple)
            else:
                store_add(triple)

        self.add = add
        return self

    def __contains__(self, triple) -> bool:
        if isinstance(triple[0], rdflib.Literal):
            return triple in self.generalized
        return super().__contains__(triple)


@dataclass(frozen=True)
class Inference:
    """What the reasoner added to the inferred graph."""

    triples: int
    by_predicate: dict[str, int]
    vocabulary_noise_dropped: int


def reason(store: ox.Store, *, keep_vocabulary_noise: bool = False) -> Inference:
    """Compute the OWL 2 RL closure of everything in ``store`` into its inferred graph.

    Raises InvalidInput when the reasoner finds the data inconsistent with the ontology.
    """
    source = _StoreGraph(store)
    destination = _StoreGraph(store, locked_context=INFERRED_GRAPH.value)
    rdflib_terms = logging.getLogger("rdflib.term")
    level = rdflib_terms.level
    with warnings.catch_warnings():
        # owlrl warns for each generalized triple (literal subject) it cannot
        # store; those are not RDF and are dropped on purpose. rdflib logs a
        # traceback for every literal it cannot turn into a Python value
        # (e.g. xsd:gMonth); the reasoner's own datatype checks still run.
        warnings.simplefilter("ignore")
        rdflib_terms.setLevel(logging.CRITICAL)
        try:
            owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(source, destination=destination)
        finally:
            rdflib_terms.setLevel(level)
    _raise_inconsistencies(store)
    store.update(_DROP_ASSERTED)
    dropped = 0 if keep_vocabulary_noise else _drop_vocabulary_noise(store)
    counts = Counter(q.predicate.value for q in store.quads_for_pattern(None, None, None, INFERRED_GRAPH))
    return Inference(sum(counts.values()), dict(sorted(counts.items())), dropped)


def _raise_inconsistencies(store: ox.Store) -> None:
    error_type = ox.Quad(ox.BlankNode(), ox.NamedNode(RDF + "type"), ox.NamedNode(_ERROR + "ErrorMessage"))
    messages = [
        q.object.value
        for m in store.quads_for_pattern(None, error_type.predicate, error_type.object, INFERRED_GRAPH)
        for q in store.quads_for_pattern(m.subject, ox.NamedNode(_ERROR + "error"), None, INFERRED_GRAPH)
    ]
    if messages:
        raise InvalidInput(
            [Problem(None, f"the data contradicts the ontology (OWL 2 RL): {m}") for m in sorted(messages)]
        )


def _drop_vocabulary_noise(store: ox.Store) -> int:
    noise = [q for q in store.quads_for_pattern(None, None, None, INFERRED_GRAPH) if _is_noise(q)]
    for quad in noise:
        store.remove(quad)
    return len(noise)


def _is_noise(quad: ox.Quad) -> bool:
    if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(_VOCABULARY_NAMESPACES):
        return True
    return quad.subject == quad.object and quad.predicate in _REFLEXIVE
