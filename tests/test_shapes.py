"""SHACL shapes: a valid sample passes; for each shape, a broken sample fails with a readable message."""

from __future__ import annotations

import shutil

import pytest
import rdflib

from conftest import ROOT, load_script

from diplokg.load import load
from diplokg.project import Project
from diplokg.validate import validate

PREFIXES = """
@prefix dip: <https://w3id.org/diplokg/ontology#> . @prefix dkg: <https://w3id.org/diplokg/id/> .
@prefix doc: <https://w3id.org/diplokg/id/document/> . @prefix dks: <https://w3id.org/diplokg/status/> .
@prefix dket: <https://w3id.org/diplokg/event-type/> . @prefix dkas: <https://w3id.org/diplokg/agreement-status/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix org: <http://www.w3.org/ns/org#> .
"""
EVIDENCE = 'dip:evidence [ a dip:Evidence ; dip:source doc:t ; dip:quote "A said so." ]'
VALID = PREFIXES + f"""
doc:t a dip:SourceDocument ; rdfs:label "T" ; dcterms:title "T" ; dip:fileName "t.txt" ;
    dip:sha256 "{'a' * 64}" ; dip:publicationDate "2025-01-01"^^xsd:date .
dkg:a a dip:State ; rdfs:label "A" ; dip:iso3166Alpha2 "AA" ; dip:iso3166Alpha3 "AAA" .
dkg:b a dip:State ; rdfs:label "B" .
dkg:o a dip:MilitaryAlliance ; rdfs:label "O" .
dkg:p a dip:Person ; rdfs:label "P" .
dkg:topic a <http://www.w3.org/2004/02/skos/core#Concept> ;
    <http://www.w3.org/2004/02/skos/core#prefLabel> "topic" ;
    <http://www.w3.org/2004/02/skos/core#inScheme> dkg:scheme .
dkg:president a dip:HeadOfState ; rdfs:label "President of A" ; dip:postFor dkg:a .
dkg:city a dip:City ; rdfs:label "C" ; dip:locatedIn dkg:a .
dkg:m a dip:Membership ; rdfs:label "A in O" ; org:member dkg:a ; org:organization dkg:o ;
    dip:membershipStatus dks:active ; org:memberDuring [ dip:startDate "2020"^^xsd:gYear ] ; {EVIDENCE} .
dkg:t a dip:Tenure ; rdfs:label "P president" ; dip:holder dkg:p ; dip:post dkg:president ;
    dip:attestedOn "2025-01"^^xsd:gYearMonth ; {EVIDENCE} .
dkg:e a dip:DiplomaticEvent ; rdfs:label "Talks" ; dip:eventType dket:bilateral-talks ;
    dip:participant dkg:p, dkg:b ; dip:place dkg:city ; dip:date "2025-01-01"^^xsd:date ; {EVIDENCE} .
dkg:w a dip:War ; rdfs:label "War" ; dip:belligerent dkg:a, dkg:b ; dip:deaths 10 ; {EVIDENCE} .
dkg:g a dip:Treaty ; rdfs:label "Treaty" ; dip:party dkg:a, dkg:b ; dip:agreementStatus dkas:signed ; {EVIDENCE} .
dkg:c a dip:Claim ; rdfs:label "Claim" ; dip:claimant dkg:p ; dip:content "something" ; {EVIDENCE} .
dkg:r a dip:BilateralRelation ; rdfs:label "A–B" ; dip:party dkg:a, dkg:b ; dip:established "1992"^^xsd:gYear ; {EVIDENCE} .
"""

# shape -> (text to replace in VALID, replacement, expected message part, expected focus)
BROKEN = {
    "Labelled": ('dkg:o a dip:MilitaryAlliance ; rdfs:label "O" .', "dkg:o a dip:MilitaryAlliance .",
                 "needs an rdfs:label", "dkg:o"),
    "Concept": ('<http://www.w3.org/2004/02/skos/core#prefLabel> "topic" ;', "",
                "needs an skos:prefLabel", "dkg:topic"),
    "State": ('dip:iso3166Alpha2 "AA"', 'dip:iso3166Alpha2 "aa1"', "two capital letters", "dkg:a"),
    "SourceDocument": ('dip:sha256 "' + "a" * 64 + '"', 'dip:sha256 "xyz"', "64 lower-case hex digits", "doc:t"),
    "SourcedFact": (f'dip:content "something" ; {EVIDENCE}', 'dip:content "something"', "at least one dip:evidence", "dkg:c"),
    "Evidence": ('dip:evidence [ a dip:Evidence ; dip:source doc:t ; dip:quote "A said so." ] .\ndkg:e',
                 'dip:evidence [ a dip:Evidence ; dip:source doc:t ] .\ndkg:e', "exactly one dip:quote", "a blank node inside dkg:t"),
    "Membership": ("dip:membershipStatus dks:active ;", "", "exactly one dip:membershipStatus", "dkg:m"),
    "Period": ('dip:startDate "2020"^^xsd:gYear', 'dip:startDate "2020"', "period's dip:startDate and dip:endDate", "dkg:m"),
    "DatedFact": ('dip:date "2025-01-01"^^xsd:date', 'dip:date "1 January 2025"', "dip:date is one xsd:date", "dkg:e"),
    "LabelledFact": ('dkg:w a dip:War ; rdfs:label "War" ;', "dkg:w a dip:War ;", "every fact node, post, place", "dkg:w"),
    "Tenure": ("dip:holder dkg:p ;", "dip:holder dkg:city ;", "exactly one dip:holder, a dip:Person", "dkg:t"),
    "Post": ("dip:postFor dkg:a .", ".", "exactly one dip:postFor", "dkg:president"),
    "Event": ("dip:place dkg:city ;", "dip:place dkg:p ;", "at most one dip:place", "dkg:e"),
    "DiplomaticEvent": ("dip:eventType dket:bilateral-talks ;", "", "needs a dip:eventType", "dkg:e"),
    "Conflict": ("dip:deaths 10 ;", "dip:deaths -3 ;", "non-negative xsd:integer", "dkg:w"),
    "Agreement": ("dip:agreementStatus dkas:signed ;", "dip:agreementStatus dks:active ;", "agreement status scheme", "dkg:g"),
    "Claim": ('dip:claimant dkg:p ;', "", "needs a dip:claimant", "dkg:c"),
    "Place": ("dip:locatedIn dkg:a .", "dip:locatedIn dkg:p .", "located in another place or a state", "dkg:city"),
    "BilateralRelation": ("dip:party dkg:a, dkg:b ; dip:established", "dip:party dkg:a ; dip:established",
                          "exactly two dip:party", "dkg:r"),
}


def problems_for(tmp_path, data: str):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "ontology", project / "ontology")
    (project / "data" / "reference").mkdir(parents=True)
    (project / "data" / "reference" / "sample.ttl").write_text(data, encoding="utf-8")
    return validate(load(Project(project)), project / "ontology" / "shapes.ttl")


def test_the_valid_sample_passes(tmp_path):
    assert problems_for(tmp_path, VALID) == []


@pytest.mark.parametrize("shape", BROKEN)
def test_broken_sample_fails_readably(tmp_path, shape):
    old, new, message, focus = BROKEN[shape]
    assert old in VALID, "fixture drift"
    problems = problems_for(tmp_path, VALID.replace(old, new, 1))
    assert any(message in p.message and p.focus == focus for p in problems), [str(p) for p in problems]
    assert all(p.file and p.file.name == "sample.ttl" for p in problems)


def test_every_shape_has_a_broken_sample():
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    declared = {str(s).split("#")[-1] for s in shapes.subjects(rdflib.RDF.type, sh.NodeShape)}
    assert declared - {"DateValue"} == set(BROKEN), "DateValue is exercised through DatedFact"


def test_every_class_the_data_uses_is_checked_by_a_shape():
    """Each class instantiated in data/ is a shape target, or a subclass of one."""
    corpus = load(Project(ROOT))
    ontology = rdflib.Graph()
    for path in (ROOT / "ontology").glob("*.ttl"):
        ontology.parse(path)
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targets = set(shapes.objects(None, sh.targetClass))
    used = {rdflib.URIRef(q.object.value) for q in corpus.quads({"reference", "sources", "document"})
            if q.predicate.value == str(rdflib.RDF.type)}
    for cls in used:
        ancestors = set(ontology.transitive_objects(cls, rdflib.RDFS.subClassOf))
        assert ancestors & targets, f"no shape checks instances of {cls}"


# The shapes compiled to SPARQL (the default) report exactly what pyshacl, the reference, reports.

def test_the_project_shapes_compile_to_sparql():
    from diplokg.load import load_file
    from diplokg.namespaces import SHAPES_GRAPH
    from diplokg.project import InputFile
    from diplokg.shacl import compile_shapes

    shapes = load_file(InputFile(ROOT / "ontology" / "shapes.ttl", SHAPES_GRAPH, "shapes")).quads
    assert len(compile_shapes(shapes)) > 30


def engines_agree(tmp_path, data: str) -> list:
    project = tmp_path / "project"
    if not project.exists():
        shutil.copytree(ROOT / "ontology", project / "ontology")
        (project / "data" / "reference").mkdir(parents=True)
    (project / "data" / "reference" / "sample.ttl").write_text(data, encoding="utf-8")
    corpus = load(Project(project))
    shapes = project / "ontology" / "shapes.ttl"
    compiled = validate(corpus, shapes, engine="sparql")
    reference = validate(corpus, shapes, engine="pyshacl")
    assert compiled == reference
    return compiled


@pytest.mark.parametrize("shape", BROKEN)
def test_compiled_shapes_report_what_pyshacl_reports(tmp_path, shape):
    old, new, _, _ = BROKEN[shape]
    assert engines_agree(tmp_path, VALID.replace(old, new, 1))


def test_compiled_shapes_report_what_pyshacl_reports_on_several_faults_at_once(tmp_path):
    broken = VALID
    for old, new, _, _ in BROKEN.values():
        if old in broken:
            broken = broken.replace(old, new, 1)
    assert len(engines_agree(tmp_path, broken)) >= len(BROKEN) - 3
    assert engines_agree(tmp_path, VALID) == []


def _mutate(project, seed: int, faults: int) -> None:
    """Break a generated corpus in ``faults`` random places, keeping the Turtle readable."""
    import random
    import re

    rng = random.Random(seed)
    files = sorted((project / "data" / "documents").glob("*.ttl"))
    for _ in range(faults):
        path = rng.choice(files)
        lines = path.read_text(encoding="utf-8").splitlines()
        # Property lines inside a statement: "    predicate object;"
        inner = [i for i, line in enumerate(lines) if line.startswith("    ") and line.endswith(";")]
        i = rng.choice(inner)
        fault = rng.choice(["drop", "ill-typed date", "untyped date", "wrong class"])
        if fault == "drop":
            del lines[i]
        elif fault == "ill-typed date":
            lines[i] = re.sub(r'"(\d{4})-(\d{2})-(\d{2})"\^\^xsd:date', r'"\3/\2/\1"^^xsd:date', lines[i])
        elif fault == "untyped date":
            lines[i] = lines[i].replace("^^xsd:date", "").replace("^^xsd:gYearMonth", "")
        elif fault == "wrong class":
            lines[i] = lines[i].replace("dip:holder dkg:", "dip:holder dks:").replace("dip:post dkg:", "dip:post dket:")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compiled_shapes_report_what_pyshacl_reports_on_broken_generated_corpora(tmp_path, seed):
    project = load_script("generate_corpus").generate(tmp_path / "project", documents=8, seed=seed)
    shapes = project / "ontology" / "shapes.ttl"
    assert validate(load(Project(project)), shapes) == []
    _mutate(project, seed, faults=12)
    corpus = load(Project(project))
    compiled = validate(corpus, shapes, engine="sparql")
    assert compiled == validate(corpus, shapes, engine="pyshacl")
    assert compiled, "the faults went unnoticed"


def test_compiled_shapes_reject_a_lexical_form_that_is_not_of_its_datatype(tmp_path):
    """"2025-01-01"^^xsd:gYearMonth is not a gYearMonth (XSD). pyshacl's verdict on it depends on
    which literal converters rdflib has loaded in the process, so only the compiled check is pinned."""
    data = VALID.replace('dip:attestedOn "2025-01"^^xsd:gYearMonth', 'dip:attestedOn "2025-01-01"^^xsd:gYearMonth')
    project = tmp_path / "project"
    shutil.copytree(ROOT / "ontology", project / "ontology")
    (project / "data" / "reference").mkdir(parents=True)
    (project / "data" / "reference" / "sample.ttl").write_text(data, encoding="utf-8")
    corpus = load(Project(project))
    compiled = validate(corpus, project / "ontology" / "shapes.ttl", engine="sparql")
    assert [p.path for p in compiled] == ["dip:attestedOn"]
