"""IRIs the pipeline relies on: vocabularies, named graphs and the prefixes users may write."""

from __future__ import annotations

import re

import pyoxigraph as ox

BASE = "https://w3id.org/diplokg/"
ONTOLOGY = BASE + "ontology"
DIP = ONTOLOGY + "#"
ENTITY = BASE + "id/"
DOCUMENT = ENTITY + "document/"
GRAPH = BASE + "graph/"

ONTOLOGY_GRAPH = ox.NamedNode(GRAPH + "ontology")
REFERENCE_GRAPH = ox.NamedNode(GRAPH + "reference")
SOURCES_GRAPH = ox.NamedNode(GRAPH + "sources")
INFERRED_GRAPH = ox.NamedNode(GRAPH + "inferred")
SHAPES_GRAPH = ox.NamedNode(GRAPH + "shapes")
DOCUMENT_GRAPH_BASE = GRAPH + "document/"  # one named graph per source document

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

# Prefixes available to every canned query parameter and to `diplokg query`
# users who refer to terms by prefixed name.
PREFIXES: dict[str, str] = {
    "dip": DIP,
    "dkg": ENTITY,
    "doc": DOCUMENT,
    "dks": BASE + "status/",
    "dket": BASE + "event-type/",
    "dkas": BASE + "agreement-status/",
    "dkt": BASE + "topic/",
    "graph": GRAPH,
    "docgraph": DOCUMENT_GRAPH_BASE,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
}


_LOCAL_NAME = re.compile(r"[\w][\w.-]*(?<!\.)")


def document_graph(document_id: str) -> ox.NamedNode:
    """The named graph holding the facts encoded from one source document."""
    return ox.NamedNode(DOCUMENT_GRAPH_BASE + document_id)


def shorten(iri: str) -> str:
    """A prefixed name for ``iri`` using the longest matching namespace, else ``<iri>``."""
    matches = [(prefix, ns) for prefix, ns in PREFIXES.items() if iri.startswith(ns) and len(iri) > len(ns)]
    if not matches:
        return f"<{iri}>"
    prefix, namespace = max(matches, key=lambda m: len(m[1]))
    local = iri[len(namespace):]
    return f"{prefix}:{local}" if _LOCAL_NAME.fullmatch(local) else f"<{iri}>"
