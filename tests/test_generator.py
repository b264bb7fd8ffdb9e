"""The synthetic corpus generator: valid, deterministic, answering every canned query, sourced verbatim."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import load_script

import diplokg
from diplokg.canned import load_catalog
from diplokg.load import load
from diplokg.project import Project
from diplokg.terms import rdflib_graph

generate_corpus = load_script("generate_corpus")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return generate_corpus.generate(tmp_path_factory.mktemp("corpus") / "project", documents=24, seed=7)


@pytest.fixture(scope="module")
def generated_graph(generated, tmp_path_factory) -> diplokg.KnowledgeGraph:
    """The generated project, built: validation (shapes, OWL consistency) included."""
    return diplokg.build(store=tmp_path_factory.mktemp("store") / "store", project=generated)


def test_every_canned_query_answers_on_the_generated_corpus(generated, generated_graph):
    parameters = json.loads((generated / "bench-params.json").read_text())
    for query in load_catalog(generated / "queries"):
        sets = parameters.get(query.name, [{}]) if query.parameters else [{}]
        assert sets, query.name
        for values in sets:
            assert generated_graph.ask(query.name, **values).records(), (query.name, values)
        assert generated_graph.query(query.text).records(), f"{query.name} as written, with its defaults"


def test_every_quote_occurs_in_its_catalogued_source(generated):
    data = rdflib_graph(load(Project(generated)).quads())
    dip = "https://w3id.org/diplokg/ontology#"
    import rdflib

    quotes = 0
    for evidence, document in data.subject_objects(rdflib.URIRef(dip + "source")):
        name = str(data.value(document, rdflib.URIRef(dip + "fileName")))
        source = generated / "data" / "sources" / name
        digest = str(data.value(document, rdflib.URIRef(dip + "sha256")))
        assert hashlib.sha256(source.read_bytes()).hexdigest() == digest
        for quote in data.objects(evidence, rdflib.URIRef(dip + "quote")):
            assert str(quote) in source.read_text(encoding="utf-8")
            quotes += 1
    assert quotes > 24 * 4


def test_the_same_seed_gives_the_same_corpus_and_another_seed_another(tmp_path):
    def fingerprint(folder: Path) -> dict[str, str]:
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    first = fingerprint(generate_corpus.generate(tmp_path / "a", documents=6, seed=3))
    again = fingerprint(generate_corpus.generate(tmp_path / "b", documents=6, seed=3))
    other = fingerprint(generate_corpus.generate(tmp_path / "c", documents=6, seed=4))
    assert first == again
    assert first != other


def test_the_corpus_grows_with_the_number_of_documents(tmp_path):
    small = load(Project(generate_corpus.generate(tmp_path / "small", documents=4)))
    large = load(Project(generate_corpus.generate(tmp_path / "large", documents=40)))
    assert len(list(large.quads({"document"}))) > 8 * len(list(small.quads({"document"})))


def test_bad_arguments_are_refused_clearly(tmp_path, capsys):
    assert generate_corpus.main([str(tmp_path / "x"), "--documents", "0"]) == 2
    assert "at least 1" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "file").write_text("x")
    assert generate_corpus.main([str(tmp_path / "full"), "--documents", "3"]) == 2
    assert "not empty" in capsys.readouterr().err
