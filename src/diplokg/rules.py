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

import threading
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, OWL, RDF, RDFS, shorten
from .terms import to_oxigraph

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

_PREFIXES = f"PREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\nPREFIX owl: <{OWL}>\n"
# Semi-naive evaluation keeps what each round derives in a graph of its own:
# the next round joins only against it (the delta), so a round costs what is
# new, not what is known. The round graphs are merged into the inferred graph
# once the fixpoint is reached.
_ROUND_GRAPH = INFERRED_GRAPH.value + "/round-"


def round_graph(number: int) -> ox.NamedNode:
    return ox.NamedNode(f"{_ROUND_GRAPH}{number}")


@dataclass(frozen=True)
class Rule:
    """An OWL 2 RL instance rule: ``head`` holds wherever the patterns and the condition match.

    ``schema`` patterns read the closed schema, which owlrl computed before the
    fixpoint and which the instance rules never extend; ``facts`` patterns read
    instance data, and in semi-naive rounds each one in turn reads only the delta.
    """

    head: str
    facts: tuple[str, ...]
    schema: tuple[str, ...] = ()
    condition: str = ""

    def updates(self, into: ox.NamedNode, delta: ox.NamedNode | None = None,
                delta_predicates: set[str] | None = None) -> list[str]:
        """The SPARQL updates applying this rule, inserting into ``into``.

        Without ``delta``: one update over everything. With it: one per fact
        pattern, that pattern reading only ``delta``; a pattern whose predicate
        is not among ``delta_predicates`` cannot match there and is skipped.
        """
        if delta is None:
            return [self._update(into, None, None)]
        return [
            self._update(into, delta, i) for i, pattern in enumerate(self.facts)
            if _predicate(pattern) is None or delta_predicates is None or _predicate(pattern) in delta_predicates
        ]

    def _update(self, into: ox.NamedNode, delta: ox.NamedNode | None, delta_at: int | None) -> str:
        patterns = [f"GRAPH ?schema{i} {{ {pattern} }}" for i, pattern in enumerate(self.schema)]
        patterns += [
            f"GRAPH {delta if i == delta_at else f'?facts{i}'} {{ {pattern} }}"
            for i, pattern in enumerate(self.facts)
        ]
        condition = f"FILTER({self.condition})" if self.condition else ""
        return (
            f"{_PREFIXES}INSERT {{ GRAPH {into} {{ {self.head} }} }}\n"
            f"WHERE {{ {' '.join(patterns)} {condition} FILTER NOT EXISTS {{ GRAPH ?known {{ {self.head} }} }} }}"
        )


_PREFIXED = {"rdf:": RDF, "rdfs:": RDFS, "owl:": OWL}


def _predicate(pattern: str) -> str | None:
    """The IRI in the predicate position of a triple pattern, or None for a variable."""
    predicate = pattern.split()[1]
    if predicate == "a":
        return RDF + "type"
    if predicate.startswith("<"):
        return predicate[1:-1]
    for prefix, namespace in _PREFIXED.items():
        if predicate.startswith(prefix):
            return namespace + predicate[len(prefix):]
    return None


_GENERIC_RULES = {
    "cax-sco": Rule("?x a ?d", ("?x a ?c",), ("?c rdfs:subClassOf ?d",)),
    "prp-dom": Rule("?x a ?c", ("?x ?p ?y",), ("?p rdfs:domain ?c",)),
    "prp-rng": Rule("?y a ?c", ("?x ?p ?y",), ("?p rdfs:range ?c",), "!isLiteral(?y)"),
    "prp-spo1": Rule("?x ?q ?y", ("?x ?p ?y",), ("?p rdfs:subPropertyOf ?q",)),
    "prp-inv1": Rule("?y ?q ?x", ("?x ?p ?y",), ("?p owl:inverseOf ?q",), "!isLiteral(?y)"),
    "prp-inv2": Rule("?y ?p ?x", ("?x ?q ?y",), ("?p owl:inverseOf ?q",), "!isLiteral(?y)"),
    "prp-symp": Rule("?y ?p ?x", ("?x ?p ?y",), ("?p a owl:SymmetricProperty",), "!isLiteral(?y)"),
    "prp-trp": Rule("?x ?p ?z", ("?x ?p ?y", "?y ?p ?z"), ("?p a owl:TransitiveProperty",)),
    "cls-hv1": Rule("?x ?p ?v", ("?x a ?r",), ("?r owl:hasValue ?v", "?r owl:onProperty ?p")),
    "cls-hv2": Rule("?x a ?r", ("?x ?p ?v",), ("?r owl:hasValue ?v", "?r owl:onProperty ?p")),
    "prp-fp": Rule(
        "?y1 owl:sameAs ?y2", ("?x ?p ?y1", "?x ?p ?y2"), ("?p a owl:FunctionalProperty",),
        "?y1 != ?y2 && !isLiteral(?y1) && !isLiteral(?y2)",
    ),
    "prp-ifp": Rule(
        "?x1 owl:sameAs ?x2", ("?x1 ?p ?y", "?x2 ?p ?y"), ("?p a owl:InverseFunctionalProperty",), "?x1 != ?x2"
    ),
    "eq-sym": Rule("?y owl:sameAs ?x", ("?x owl:sameAs ?y",)),
    "eq-trans": Rule("?x owl:sameAs ?z", ("?x owl:sameAs ?y", "?y owl:sameAs ?z")),
    "eq-rep-s": Rule("?t ?p ?o", ("?s owl:sameAs ?t", "?s ?p ?o"), condition="?s != ?t"),
    "eq-rep-p": Rule("?s ?q ?o", ("?p owl:sameAs ?q", "?s ?p ?o"), condition="?p != ?q"),
    "eq-rep-o": Rule("?s ?p ?t", ("?o owl:sameAs ?t", "?s ?p ?o"), condition="?o != ?t && !isLiteral(?t)"),
}

_SCHEMA_CANDIDATES = f"""{_PREFIXES}
SELECT ?s ?p ?o ?g WHERE {{
  {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ <{ONTOLOGY_GRAPH.value}> }} }}
  UNION
  {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?p {{ {" ".join(f"<{p}>" for p in sorted(_SCHEMA_PREDICATES))} }} }}
  UNION
  {{ GRAPH ?g {{ ?s rdf:type ?o }} FILTER(isIRI(?o) && (STRSTARTS(STR(?o), "{OWL}") || STRSTARTS(STR(?o), "{RDFS}")))
     BIND(rdf:type AS ?p) }}
}}"""
_CHAINS = f"""{_PREFIXES}
SELECT ?property ?chain WHERE {{ GRAPH ?g {{ ?property owl:propertyChainAxiom ?chain }} }}"""
_DISJOINT = f"""{_PREFIXES}
SELECT DISTINCT ?x ?c ?d WHERE {{
  GRAPH ?s {{ ?c owl:disjointWith ?d }} GRAPH ?g {{ ?x a ?c }} GRAPH ?h {{ ?x a ?d }}
}}"""
_NOTHING = f"{_PREFIXES}SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ ?x a owl:Nothing }} }}"


def supports(schema: set[ox.Triple]) -> bool:
    """Whether every construct the schema uses has its instance rules here."""
    used = {t.predicate.value for t in schema}
    used |= {t.object.value for t in schema if t.predicate.value == RDF + "type" and isinstance(t.object, ox.NamedNode)}
    return not (used & _UNSUPPORTED)


def schema_triples(quads: Iterable[ox.Quad], ontology_graph: ox.NamedNode) -> set[ox.Triple]:
    """The triples the schema closure needs: the ontology's axioms and any axiom stated in data."""
    schema = set()
    for quad in quads:
        predicate = quad.predicate.value
        in_ontology = quad.graph_name == ontology_graph
        is_axiom = predicate in _SCHEMA_PREDICATES or (
            predicate == RDF + "type" and isinstance(quad.object, ox.NamedNode)
            and quad.object.value.startswith((OWL, RDFS))
        )
        if (in_ontology and predicate not in _ANNOTATIONS and _is_vocabulary_or_axiom(quad)) or is_axiom:
            schema.add(quad.triple)
    return schema


def schema_candidates(store: ox.Store) -> Iterator[ox.Quad]:
    """The quads of ``store`` that ``schema_triples`` may keep, found by the store's indexes.

    Everything in the ontology graph, plus axioms stated in any graph: reading
    only these keeps the schema step independent of the size of the data.
    """
    for row in store.query(_SCHEMA_CANDIDATES):
        yield ox.Quad(row["s"], row["p"], row["o"], row["g"])


def _is_vocabulary_or_axiom(quad: ox.Quad) -> bool:
    # Ontology triples with a literal object (definitions, notes, titles) are
    # annotations unless their property is part of the schema vocabulary.
    return not isinstance(quad.object, ox.Literal) or quad.predicate.value.startswith((RDF, RDFS, OWL))


def close_with_owlrl(triples: Iterable[ox.Triple]) -> list[ox.Quad]:
    """What owlrl's OWL 2 RL closure adds to ``triples``, as quads for the inferred graph.

    Generalized triples (a literal subject) are not RDF and are left out.
    """
    # Imported here: with the schema closure cached, a build never needs them, and they are slow to import.
    import owlrl
    import rdflib

    from .terms import rdflib_graph

    graph = rdflib_graph(triples)
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


class Stopped(Exception):
    """The caller asked the fixpoint to stop (the build failed elsewhere); the store is left half-closed."""


def close_instances(store: ox.Store, stop: threading.Event | None = None) -> int:
    """Apply the instance rules inside ``store`` until a fixpoint, semi-naively; return the rounds taken.

    Round one applies every rule to everything; each later round applies each
    rule once per fact pattern, that pattern reading only what the previous
    round derived. What a round derives is new by construction (each update
    skips triples any graph already holds), so an empty round is the fixpoint.
    Round one writes straight into the inferred graph, which holds nothing but
    the schema closure before it: copying its million triples at 10^6 took 3 s,
    and as the next round's delta the schema closure only repeats known matches.
    ``stop``, once set, ends the work between two updates by raising Stopped.
    """
    rules = list(_GENERIC_RULES.values()) + _chain_rules(store)
    rounds, delta_predicates = 0, None
    while rounds == 0 or delta_predicates:
        rounds += 1
        delta = _round_output(rounds - 1) if rounds > 1 else None
        for rule in rules:
            for update in rule.updates(_round_output(rounds), delta, delta_predicates):
                if stop is not None and stop.is_set():
                    raise Stopped
                store.update(update)
        delta_predicates = {row["p"].value for row in store.query(
            f"SELECT DISTINCT ?p WHERE {{ GRAPH {_round_output(rounds)} {{ ?s ?p ?o }} }}")}
    merges = [f"ADD SILENT GRAPH {round_graph(n)} TO GRAPH {INFERRED_GRAPH} ; DROP SILENT GRAPH {round_graph(n)}"
              for n in range(2, rounds + 1)]
    if merges:
        store.update(" ;\n".join(merges))
    return rounds


def _round_output(number: int) -> ox.NamedNode:
    return INFERRED_GRAPH if number == 1 else round_graph(number)


def violations(store: ox.Store) -> list[tuple[ox.NamedNode | ox.BlankNode, str]]:
    """OWL 2 RL inconsistencies (cax-dw, cls-nothing2) in the closed store: (individual, what is wrong)."""
    found = [
        (row["x"], f"it is both {shorten(row['c'].value)} and {shorten(row['d'].value)}, which are disjoint "
                   "(owl:disjointWith); remove one of the types")
        for row in store.query(_DISJOINT)
    ]
    found += [(row["x"], "it is an instance of owl:Nothing") for row in store.query(_NOTHING)]
    return sorted(found, key=lambda item: (str(item[0]), item[1]))


def _chain_rules(store: ox.Store) -> list[Rule]:
    rules = []
    for row in store.query(_CHAINS):
        links = _list_items(store, row["chain"])
        variables = [f"?v{i}" for i in range(len(links) + 1)]
        facts = tuple(f"{variables[i]} {link} {variables[i + 1]}" for i, link in enumerate(links))
        rules.append(Rule(f"?v0 {row['property']} {variables[-1]}", facts))
    return rules


def _list_items(store: ox.Store, head: ox.BlankNode | ox.NamedNode) -> list[ox.NamedNode]:
    items, node = [], head
    first, rest, nil = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")
    while node != nil:
        items.append(next(store.quads_for_pattern(node, first, None)).object)
        node = next(store.quads_for_pattern(node, rest, None)).object
    return items
