"""The encoded documents: every quote verbatim, every fact sourced, every date a valid XSD date."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from conftest import ROOT

from diplokg.load import load
from diplokg.project import Project
from diplokg.terms import rdflib_graph

DIP = rdflib.Namespace("https://w3id.org/diplokg/ontology#")
SOURCES = ROOT / "data" / "sources"
DATE_TYPES = {XSD.date, XSD.gYearMonth, XSD.gYear, XSD.gMonth}
FACT_CLASSES = [DIP.Membership, DIP.Event, DIP.Agreement, DIP.Claim, DIP.Tenure, DIP.Initiative,
                DIP.BilateralRelation]


@pytest.fixture(scope="module")
def data() -> rdflib.Graph:
    """Asserted triples of every file, with the ontology for class hierarchy look-ups."""
    return rdflib_graph(load(Project.locate(ROOT)).quads())


def normalise(text: str) -> str:
    return " ".join(text.split())


def instances(graph: rdflib.Graph, cls) -> set:
    classes = set(graph.transitive_subjects(RDFS.subClassOf, cls))
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


def test_every_source_file_is_catalogued_with_its_checksum(data):
    catalogued = {str(name): doc for doc, name in data.subject_objects(DIP.fileName)}
    on_disk = {p.name for p in SOURCES.glob("*.txt")}
    assert set(catalogued) == on_disk
    for name, doc in catalogued.items():
        digest = hashlib.sha256((SOURCES / name).read_bytes()).hexdigest()
        assert str(data.value(doc, DIP.sha256)) == digest, name


def test_every_document_has_its_encoding():
    stems = {p.stem for p in SOURCES.glob("*.txt")}
    assert stems == {p.stem for p in (ROOT / "data" / "documents").glob("*.ttl")}


def test_every_quote_occurs_verbatim_in_its_source(data):
    checked = 0
    for evidence in data.subjects(RDF.type, DIP.Evidence):
        document = data.value(evidence, DIP.source)
        text = normalise((SOURCES / str(data.value(document, DIP.fileName))).read_text(encoding="utf-8"))
        for quote in data.objects(evidence, DIP.quote):
            assert normalise(str(quote)) in text, f"not in {document}: {quote}"
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("cls", FACT_CLASSES, ids=lambda c: c.split("#")[-1])
def test_every_fact_has_a_source_and_evidence(data, cls):
    for fact in instances(data, cls):
        evidence = list(data.objects(fact, DIP.evidence))
        assert evidence, f"{fact} has no evidence"
        for item in evidence:
            assert data.value(item, DIP.quote), f"{fact}: evidence without a quote"
            assert (data.value(item, DIP.source), RDF.type, DIP.SourceDocument) in data, f"{fact}: uncatalogued source"


_LEXICAL = {
    XSD.date: (r"-?\d{4}-\d{2}-\d{2}", lambda v: datetime.date.fromisoformat(v)),
    XSD.gYearMonth: (r"-?\d{4}-(0[1-9]|1[0-2])", None),
    XSD.gYear: (r"-?\d{4}", None),
    XSD.gMonth: (r"--(0[1-9]|1[0-2])", None),
}


def test_every_date_literal_is_a_valid_xsd_date(data):
    dated = 0
    for _, _, value in data:
        if isinstance(value, rdflib.Literal) and value.datatype in DATE_TYPES:
            pattern, check = _LEXICAL[value.datatype]
            assert re.fullmatch(pattern, str(value)), f"bad {value.datatype}: {value}"
            if check:
                check(str(value))
            dated += 1
    assert dated > 0


def test_date_properties_hold_only_date_types(data):
    for prop in (DIP.date, DIP.startDate, DIP.endDate, DIP.attestedOn, DIP.established):
        for subject, value in data.subject_objects(prop):
            assert isinstance(value, rdflib.Literal) and value.datatype in DATE_TYPES, f"{subject} {prop} {value!r}"


def test_resolved_dates_say_how(data):
    for node in data.subjects(DIP.dateAsWritten, None):
        assert data.value(node, DIP.dateDerivation) or data.value(node, SKOS.editorialNote), node
