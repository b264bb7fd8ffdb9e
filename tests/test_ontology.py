"""The ontology: parses everywhere, documents every term, stays in OWL 2 RL, is consistent."""

from __future__ import annotations

import owlrl
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from conftest import ROOT

DIP = rdflib.Namespace("https://w3id.org/diplokg/ontology#")
ONTOLOGY_FILES = sorted(p for p in (ROOT / "ontology").glob("*.ttl") if p.name != "shapes.ttl")

# OWL constructs the ontology may use: all within the OWL 2 RL profile, where
# hasValue restrictions and property chains are rules owlrl implements.
RL_VOCABULARY = {
    OWL.Ontology, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.FunctionalProperty,
    OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.inverseOf, OWL.propertyChainAxiom,
    OWL.Restriction, OWL.onProperty, OWL.hasValue, OWL.disjointWith, OWL.versionIRI, OWL.versionInfo,
}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path)
    return graph


@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=lambda p: p.name)
def test_parses_in_rdflib_and_pyoxigraph(path):
    assert len(rdflib.Graph().parse(path)) == len(list(ox.parse(path=str(path))))


def test_header(ontology):
    header = rdflib.URIRef("https://w3id.org/diplokg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.license, OWL.versionIRI, OWL.versionInfo):
        assert ontology.value(header, prop), f"ontology header lacks {prop}"


def terms(ontology, kinds):
    return sorted({s for kind in kinds for s in ontology.subjects(RDF.type, kind) if str(s).startswith(str(DIP))})


def test_every_class_and_property_has_a_label_and_a_definition(ontology):
    found = terms(ontology, (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDFS.Datatype))
    assert len(found) > 100
    for term in found:
        assert ontology.value(term, RDFS.label), f"{term} has no rdfs:label"
        assert ontology.value(term, RDFS.comment) or ontology.value(term, SKOS.definition), f"{term} has no definition"


def test_concepts_have_labels_definitions_and_schemes(ontology):
    for concept in ontology.subjects(SKOS.inScheme, None):
        assert ontology.value(concept, SKOS.prefLabel) and ontology.value(concept, SKOS.definition), concept


def test_only_owl_2_rl_constructs(ontology):
    used = {o for _, p, o in ontology if p == RDF.type and str(o).startswith(str(OWL))}
    used |= {p for _, p, _ in ontology if str(p).startswith(str(OWL))}
    assert used <= RL_VOCABULARY, f"outside the allowed OWL 2 RL subset: {used - RL_VOCABULARY}"


def test_aligned_to_standard_vocabularies(ontology):
    external = {str(o) for _, p, o in ontology if p in (RDFS.subClassOf, RDFS.subPropertyOf)}
    for namespace in ("http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "http://xmlns.com/foaf/0.1/",
                      "https://schema.org/", "http://purl.org/dc/terms/", "http://www.w3.org/2004/02/skos/core#"):
        assert any(e.startswith(namespace) for e in external), namespace


def test_owlrl_closure_of_the_ontology_raises_no_inconsistency(ontology):
    closure = rdflib.Graph()
    closure += ontology
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    errors = list(closure.subjects(RDF.type, rdflib.URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")))
    assert errors == []
