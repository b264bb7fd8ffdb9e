"""Each kind of inference the ontology relies on: absent from the asserted graphs, present after build."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import ROOT, diplokg

from diplokg.api import KnowledgeGraph
from diplokg.canned import load_catalog
from diplokg.load import load
from diplokg.project import Project
from diplokg.query import execute
from diplokg.reason import reason

PREFIXES = """PREFIX dip: <https://w3id.org/diplokg/ontology#> PREFIX dkg: <https://w3id.org/diplokg/id/>
PREFIX doc: <https://w3id.org/diplokg/id/document/> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX org: <http://www.w3.org/ns/org#>
"""
INFERRED = "<https://w3id.org/diplokg/graph/inferred>"

# kind of inference -> one triple it must produce
KINDS = {
    "class hierarchy (MilitaryAlliance ⊑ Bloc)": "dkg:csto a dip:Bloc",
    "property hierarchy (acronym ⊑ skos:altLabel)": 'dkg:csto skos:altLabel "CSTO"',
    "inverse (hasMembership ≡ org:member⁻)": "dkg:armenia dip:hasMembership dkg:membership-armenia-csto-000",
    "property chain (evidence ∘ source → wasDerivedFrom)":
        "dkg:membership-armenia-csto-000 prov:wasDerivedFrom doc:000_a2fe28b85ae602ee",
    "property chain (hasMembership ∘ organization → memberOf)": "dkg:armenia dip:memberOf dkg:csto",
    "chain + inverse (memberOf⁻ → hasMember)": "dkg:csto dip:hasMember dkg:armenia",
    "classification by value (status suspended → DepartedMembership)":
        "dkg:membership-armenia-csto-000 a dip:DepartedMembership",
    "symmetric (sharesBorderWith)": "dkg:armenia dip:sharesBorderWith dkg:turkiye",
    "symmetric (counterpart)": "dkg:sergey-lavrov dip:counterpart dkg:ararat-mirzoyan",
    "transitive place containment (bridge in Yerevan in Armenia)": "dkg:kievyan-bridge dip:locatedIn dkg:armenia",
    "transitive containment across states (Yerevan in the South Caucasus)": "dkg:yerevan dip:locatedIn dkg:south-caucasus",
    "chain (tenure ∘ post → org:holds)": "dkg:ararat-mirzoyan org:holds dkg:foreign-minister-of-armenia",
    "chain (holds ∘ postFor → represents)": "dkg:ararat-mirzoyan dip:represents dkg:armenia",
    "chain (represents ∘ organOf → represents)": "dkg:margaritis-schinas dip:represents dkg:european-union",
    "chain (participant ∘ represents → involves): an official's talks involve the state":
        "dkg:event-2022-09-05-mirzoyan-lavrov-moscow dip:involves dkg:russia",
    "chain (participant ∘ organOf → involves)": "dkg:event-february-armenia-csto-freeze-announcement dip:involves dkg:armenia",
}


def ask(store, pattern: str) -> bool:
    import json

    run = diplokg("query", "-e", PREFIXES + f"ASK {{ {pattern} }}", "--format", "json", store=store)
    return json.loads(run.stdout)["boolean"]


@pytest.mark.parametrize("kind", KINDS)
def test_inference_kind(built_store, kind):
    triple = KINDS[kind]
    asserted_only = f"GRAPH ?g {{ {triple} }} FILTER(?g != {INFERRED})"
    assert not ask(built_store, asserted_only), f"{kind}: the triple must not be asserted"
    assert ask(built_store, f"GRAPH {INFERRED} {{ {triple} }}"), f"{kind}: the reasoner must derive it"


def test_demo_answer_needs_inference(built_store):
    """Without the inferred graph, 'which alliances did Armenia leave' has no answer."""
    query = next(q for q in load_catalog(ROOT / "queries") if q.name == "alliances-left")
    documents = sorted(p.stem for p in (ROOT / "data" / "documents").glob("*.ttl"))
    asserted_graphs = ["reference", "sources", "ontology"] + [f"document/{d}" for d in documents]
    dataset = " ".join(f"FROM <https://w3id.org/diplokg/graph/{g}>" for g in asserted_graphs)
    asserted = query.text.replace("WHERE {", f"{dataset} WHERE {{", 1)
    without = diplokg("query", "-e", asserted, "--format", "csv", store=built_store)
    assert without.code == 1
    with_inference = diplokg("query", "-e", query.text, "--format", "csv", store=built_store)
    assert len(with_inference.stdout.splitlines()) == 3


def test_dropping_owlrl_noise_changes_no_answer(built_store):
    """The reasoner drops vocabulary and reflexive triples; every canned query answers the same with them."""
    corpus = load(Project.locate(ROOT))
    with_noise, without_noise = ox.Store(), ox.Store()
    for store in (with_noise, without_noise):
        store.bulk_extend(corpus.quads())
    kept = reason(with_noise, keep_vocabulary_noise=True)
    dropped = reason(without_noise)
    assert dropped.vocabulary_noise_dropped > 0
    assert kept.triples > dropped.triples
    graph = KnowledgeGraph(built_store, ROOT)
    for query in graph.catalog:
        bindings = graph.bind(query, {})
        noisy = execute(with_noise, query.body, bindings)
        clean = execute(without_noise, query.body, bindings)
        assert sorted(map(str, noisy.rows)) == sorted(map(str, clean.rows)), query.name
