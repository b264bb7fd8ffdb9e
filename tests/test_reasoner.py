"""The fast rule engine computes exactly owlrl's closure (differential tests)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, diplokg, load_script

from diplokg.errors import InvalidInput
from diplokg.load import load
from diplokg.namespaces import DIP, INFERRED_GRAPH, ONTOLOGY_GRAPH, RDF, REFERENCE_GRAPH
from diplokg.project import Project
from diplokg.reason import reason
from diplokg.rules import schema_triples


def closure(quads, engine: str) -> set[ox.Quad] | str:
    store = ox.Store()
    store.bulk_extend(quads)
    try:
        reason(store, engine=engine)
    except InvalidInput:
        return "inconsistent"
    return set(store.quads_for_pattern(None, None, None, INFERRED_GRAPH))


def test_same_closure_as_owlrl_on_the_real_corpus():
    quads = list(load(Project.locate(ROOT)).quads())
    fast = closure(quads, "rules")
    reference = closure(quads, "owlrl")
    assert fast == reference
    assert len(fast) > 1000


# Random data over the ontology's own vocabulary: its classes, its properties,
# a handful of individuals. The schema is the ontology's axioms (annotations
# left out, which only saves owlrl time).
_CORPUS = load(Project.locate(ROOT))
_SCHEMA = [
    ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH)
    for t in schema_triples(_CORPUS.quads({"ontology"}), ONTOLOGY_GRAPH)
]
_CLASSES = sorted({q.subject.value for q in _SCHEMA
                   if q.predicate.value == RDF + "type" and q.object.value.endswith("#Class")
                   and q.subject.value.startswith(DIP)})
_PROPERTIES = sorted({q.subject.value for q in _SCHEMA
                      if q.predicate.value == RDF + "type" and q.object.value.endswith("#ObjectProperty")
                      and q.subject.value.startswith(DIP)})
_INDIVIDUALS = [f"https://w3id.org/diplokg/id/test-{i}" for i in range(5)]
_VALUES = _INDIVIDUALS + ["https://w3id.org/diplokg/status/suspended", "https://w3id.org/diplokg/status/active"]

_typed = st.tuples(st.sampled_from(_INDIVIDUALS), st.just(RDF + "type"), st.sampled_from(_CLASSES))
_linked = st.tuples(st.sampled_from(_INDIVIDUALS), st.sampled_from(_PROPERTIES), st.sampled_from(_VALUES))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triples=st.lists(st.one_of(_typed, _linked), min_size=1, max_size=12, unique=True))
def test_same_closure_as_owlrl_on_random_data(triples):
    data = [ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), REFERENCE_GRAPH) for s, p, o in triples]
    assert closure(_SCHEMA + data, "rules") == closure(_SCHEMA + data, "owlrl")


def test_both_engines_are_selectable_from_the_cli(tmp_path):
    run = diplokg("build", "--reasoner", "owlrl", store=tmp_path / "store")
    assert run.code == 0, run.output
    import json

    assert json.loads((tmp_path / "store" / "manifest.json").read_text())["reasoner"] == "owlrl"


@pytest.mark.parametrize("seed", [1, 2])
def test_same_closure_as_owlrl_on_generated_corpora(tmp_path, seed):
    project = load_script("generate_corpus").generate(tmp_path / "project", documents=3, seed=seed)
    quads = list(load(Project(project)).quads())
    fast = closure(quads, "rules")
    assert fast == closure(quads, "owlrl")
    assert len(fast) > 500
