"""A fast OWL 2 RL engine: owlrl closes the schema, SPARQL updates close the instances.

owlrl (the reference semantics) spends its time re-reading every triple on
every round. Here it only sees the schema — the ontology's axioms — which is
small and changes rarely; the instance-level rules of OWL 2 RL (cax-sco,
prp-dom, prp-rng, prp-spo1, prp-spo2, prp-inv, prp-symp, prp-trp, cls-hv1,
cls-hv2, prp-fp, prp-ifp and the eq-* rules) run as SPARQL updates inside the
store until nothing changes. The rule queries read the closed schema from the
store, so they stay generic, and property chains are compiled one query per
chain. A differential test checks that the closure equals owlrl's.

Constructs whose instance rules are not implemented here (intersections,
unions, some/all-values restrictions, cardinalities, keys, one-of) make
`supports` false; the caller then uses owlrl for everything.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import owlrl
import pyoxigraph as ox
import rdflib

from .namespaces import INFERRED_GRAPH, OWL, RDF, RDFS, shorten
from .terms import to_oxigraph, to_rdflib

_SCHEMA_PREDICATES = {
    RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
    OWL + "equivalentClass", OWL + "equivalentProperty", OWL + "inverseOf", OWL + "propertyChainAxiom",
    OWL + "onProperty", OWL + "hasValue", OWL + "disjointWith", RDF + "first", RDF + "rest",
}
_UNSUPPORTED = {
    OWL + name
    for name in (
        "intersectionOf", "unionOf", "someValuesFrom", "allValuesFrom", "maxCardinality",
        "maxQualifiedCardinality", "cardinality", "hasKey", "oneOf", "complementOf",
        "propertyDisjointWith", "AllDisjointClasses", "AllDisjointProperties", "AllDifferent",
        "differentFrom", "sourceIndividual", "IrreflexiveProperty", "AsymmetricProperty",
    )
}
# Annotation-like triples take part in no OWL 2 RL rule unless the ontology
# says something about their property; leaving them out of the schema closure
# changes nothing in it and saves most of its time.
_ANNOTATIONS = {RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy"}

_INF = f"<{INFERRED_GRAPH.value}>"
_PREFIXES = f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\nPREFIX owl: <{OWL}>\n"


def _rule(head: str, body: str) -> str:
    return f"{_PREFIXES}INSERT {{ GRAPH {_INF} {{ {head} }} }} WHERE {{ {body} }}"


# Each rule reads schema and facts from any graph (asserted or inferred).
_GENERIC_RULES = {
    "cax-sco": _rule("?x a ?d", "GRAPH ?s { ?c rdfs:subClassOf ?d } GRAPH ?g { ?x a ?c }"),
    "prp-dom": _rule("?x a ?c", "GRAPH ?s { ?p rdfs:domain ?c } GRAPH ?g { ?x ?p ?y }"),
    "prp-rng": _rule("?y a ?c", "GRAPH ?s { ?p rdfs:range ?c } GRAPH ?g { ?x ?p ?y } FILTER(!isLiteral(?y))"),
    "prp-spo1": _rule("?x ?q ?y", "GRAPH ?s { ?p rdfs:subPropertyOf ?q } GRAPH ?g { ?x ?p ?y }"),
    "prp-inv1": _rule("?y ?q ?x", "GRAPH ?s { ?p owl:inverseOf ?q } GRAPH ?g { ?x ?p ?y } FILTER(!isLiteral(?y))"),
    "prp-inv2": _rule("?y ?p ?x", "GRAPH ?s { ?p owl:inverseOf ?q } GRAPH ?g { ?x ?q ?y } FILTER(!isLiteral(?y))"),
    "prp-symp": _rule("?y ?p ?x", "GRAPH ?s { ?p a owl:SymmetricProperty } GRAPH ?g { ?x ?p ?y } FILTER(!isLiteral(?y))"),
    "prp-trp": _rule(
        "?x ?p ?z", "GRAPH ?s { ?p a owl:TransitiveProperty } GRAPH ?g { ?x ?p ?y } GRAPH ?h { ?y ?p ?z }"
    ),
    "cls-hv1": _rule(
        "?x ?p ?v", "GRAPH ?s { ?r owl:hasValue ?v ; owl:onProperty ?p } GRAPH ?g { ?x a ?r }"
    ),
    "cls-hv2": _rule(
        "?x a ?r", "GRAPH ?s { ?r owl:hasValue ?v ; owl:onProperty ?p } GRAPH ?g { ?x ?p ?v }"
    ),
    "prp-fp": _rule(
        "?y1 owl:sameAs ?y2",
        "GRAPH ?s { ?p a owl:FunctionalProperty } GRAPH ?g { ?x ?p ?y1 } GRAPH ?h { ?x ?p ?y2 }"
        " FILTER(?y1 != ?y2 && !isLiteral(?y1) && !isLiteral(?y2))",
    ),
    "prp-ifp": _rule(
        "?x1 owl:sameAs ?x2",
        "GRAPH ?s { ?p a owl:InverseFunctionalProperty } GRAPH ?g { ?x1 ?p ?y } GRAPH ?h { ?x2 ?p ?y }"
        " FILTER(?x1 != ?x2)",
    ),
    "eq-sym": _rule("?y owl:sameAs ?x", "GRAPH ?g { ?x owl:sameAs ?y }"),
    "eq-trans": _rule("?x owl:sameAs ?z", "GRAPH ?g { ?x owl:sameAs ?y } GRAPH ?h { ?y owl:sameAs ?z }"),
    "eq-rep-s": _rule("?t ?p ?o", "GRAPH ?g { ?s owl:sameAs ?t } GRAPH ?h { ?s ?p ?o } FILTER(?s != ?t)"),
    "eq-rep-p": _rule("?s ?q ?o", "GRAPH ?g { ?p owl:sameAs ?q } GRAPH ?h { ?s ?p ?o } FILTER(?p != ?q)"),
    "eq-rep-o": _rule(
        "?s ?p ?t", "GRAPH ?g { ?o owl:sameAs ?t } GRAPH ?h { ?s ?p ?o } FILTER(?o != ?t && !isLiteral(?t))"
    ),
}

_CHAINS = f"""{_PREFIXES}
SELECT ?property ?chain WHERE {{ GRAPH ?g {{ ?property owl:propertyChainAxiom ?chain }} }}"""
_DISJOINT = f"""{_PREFIXES}
SELECT DISTINCT ?x ?c ?d WHERE {{
  GRAPH ?s {{ ?c owl:disjointWith ?d }} GRAPH ?g {{ ?x a ?c }} GRAPH ?h {{ ?x a ?d }}
}}"""
_NOTHING = f"{_PREFIXES}SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ ?x a owl:Nothing }} }}"


def supports(schema: rdflib.Graph) -> bool:
    """Whether every construct the schema uses has its instance rules here."""
    used = {str(p) for p in schema.predicates()} | {str(o) for o in schema.objects(None, rdflib.RDF.type)}
    return not (used & _UNSUPPORTED)


def schema_triples(quads: Iterable[ox.Quad], ontology_graph: ox.NamedNode) -> rdflib.Graph:
    """The triples the schema closure needs: the ontology's axioms and any axiom stated in data."""
    graph = rdflib.Graph()
    for quad in quads:
        predicate = quad.predicate.value
        in_ontology = quad.graph_name == ontology_graph
        is_axiom = predicate in _SCHEMA_PREDICATES or (
            predicate == RDF + "type" and isinstance(quad.object, ox.NamedNode)
            and quad.object.value.startswith((OWL, RDFS))
        )
        if (in_ontology and predicate not in _ANNOTATIONS and _is_vocabulary_or_axiom(quad)) or is_axiom:
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def _is_vocabulary_or_axiom(quad: ox.Quad) -> bool:
    # Ontology triples with a literal object (definitions, notes, titles) are
    # annotations unless their property is part of the schema vocabulary.
    return not isinstance(quad.object, ox.Literal) or quad.predicate.value.startswith((RDF, RDFS, OWL))


def close_with_owlrl(graph: rdflib.Graph) -> list[ox.Quad]:
    """What owlrl's OWL 2 RL closure adds to ``graph``, as quads for the inferred graph.

    Generalized triples (a literal subject) are not RDF and are left out.
    """
    closed = rdflib.Graph()
    closed += graph
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # improved_datatypes=False: otherwise owlrl swaps rdflib's literal
        # converters process-wide for the run, and the swap back leaves one
        # that rejects valid xsd:gMonth values, breaking later SHACL checks.
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(closed)
    return [
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), INFERRED_GRAPH)
        for s, p, o in closed - graph
        if not isinstance(s, rdflib.Literal) and not isinstance(p, (rdflib.Literal, rdflib.BNode))
    ]


def close_instances(store: ox.Store) -> int:
    """Apply the instance rules inside ``store`` until a fixpoint; return the rounds taken."""
    rules = list(_GENERIC_RULES.values()) + _chain_rules(store)
    rounds = 0
    while True:
        rounds += 1
        before = _inferred_count(store)
        for rule in rules:
            store.update(rule)
        if _inferred_count(store) == before:
            return rounds


def violations(store: ox.Store) -> list[tuple[ox.NamedNode | ox.BlankNode, str]]:
    """OWL 2 RL inconsistencies (cax-dw, cls-nothing2) in the closed store: (individual, what is wrong)."""
    found = [
        (row["x"], f"it is both {shorten(row['c'].value)} and {shorten(row['d'].value)}, which are disjoint "
                   "(owl:disjointWith); remove one of the types")
        for row in store.query(_DISJOINT)
    ]
    found += [(row["x"], "it is an instance of owl:Nothing") for row in store.query(_NOTHING)]
    return sorted(found, key=lambda item: (str(item[0]), item[1]))


def _chain_rules(store: ox.Store) -> list[str]:
    rules = []
    for row in store.query(_CHAINS):
        links = _list_items(store, row["chain"])
        variables = [f"?v{i}" for i in range(len(links) + 1)]
        body = " ".join(
            f"GRAPH ?g{i} {{ {variables[i]} {link} {variables[i + 1]} }}" for i, link in enumerate(links)
        )
        rules.append(_rule(f"?v0 {row['property']} {variables[-1]}", body))
    return rules


def _list_items(store: ox.Store, head: ox.BlankNode | ox.NamedNode) -> list[ox.NamedNode]:
    items, node = [], head
    first, rest, nil = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")
    while node != nil:
        items.append(next(store.quads_for_pattern(node, first, None)).object)
        node = next(store.quads_for_pattern(node, rest, None)).object
    return items


def _inferred_count(store: ox.Store) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, None, None, INFERRED_GRAPH))
