"""`diplokg export`: every format parses back to exactly what the store holds.

Graphs are compared after W3C RDF Dataset Canonicalization (RDFC-1.0), which
names blank nodes by their content: isomorphism without an exponential search.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from conftest import diplokg

DATASET_FORMATS = {"nq": ("nquads", ox.RdfFormat.N_QUADS), "trig": ("trig", ox.RdfFormat.TRIG),
                   "jsonld": ("json-ld", ox.RdfFormat.JSON_LD)}
TRIPLE_FORMATS = {"ttl": ("turtle", ox.RdfFormat.TURTLE), "nt": ("nt", ox.RdfFormat.N_TRIPLES),
                  "xml": ("xml", ox.RdfFormat.RDF_XML)}
INFERRED = "https://w3id.org/diplokg/graph/inferred"


def canonical(quads) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def stored(store_path, selection: str, merge: bool = False) -> set[ox.Quad]:
    store = ox.Store.read_only(str(store_path.resolve() / "oxigraph"))
    quads = [q for q in store.quads_for_pattern(None, None, None, None)
             if selection == "all" or (selection == "inferred") == (q.graph_name.value == INFERRED)]
    if merge:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    return canonical(quads)


def through_rdflib(path, rdflib_format: str, dataset: bool) -> list[ox.Quad]:
    """Parse with rdflib, hand the result to pyoxigraph as N-Quads / N-Triples."""
    if dataset:
        parsed = rdflib.Dataset()
        parsed.parse(path, format=rdflib_format)
        return list(ox.parse(parsed.serialize(format="nquads"), format=ox.RdfFormat.N_QUADS))
    graph = rdflib.Graph().parse(path, format=rdflib_format)
    return list(ox.parse(graph.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("fmt", DATASET_FORMATS)
@pytest.mark.parametrize("selection", ["all", "asserted", "inferred"])
def test_dataset_formats_keep_every_named_graph(built_store, tmp_path, fmt, selection):
    out = tmp_path / f"dump.{fmt}"
    run = diplokg("export", "--format", fmt, "--graphs", selection, "-o", str(out), store=built_store)
    assert run.code == 0, run.output
    expected = stored(built_store, selection)
    rdflib_format, ox_format = DATASET_FORMATS[fmt]
    assert canonical(ox.parse(path=str(out), format=ox_format)) == expected
    assert canonical(through_rdflib(out, rdflib_format, dataset=True)) == expected
    assert {q.graph_name.value for q in expected} >= ({INFERRED} if selection != "asserted" else set())


@pytest.mark.parametrize("fmt", TRIPLE_FORMATS)
def test_triple_formats_hold_the_merge_of_the_graphs(built_store, tmp_path, fmt):
    out = tmp_path / f"dump.{fmt}"
    assert diplokg("export", "--format", fmt, "-o", str(out), store=built_store).code == 0
    rdflib_format, ox_format = TRIPLE_FORMATS[fmt]
    expected = stored(built_store, "all", merge=True)
    parsed = [ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(path=str(out), format=ox_format)]
    assert canonical(parsed) == expected
    assert canonical(through_rdflib(out, rdflib_format, dataset=False)) == expected


def test_export_to_standard_output(built_store):
    run = diplokg("export", "--format", "nq", "--graphs", "inferred", store=built_store)
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines and all(line.endswith(f"<{INFERRED}> .") for line in lines)


def test_export_writes_no_partial_file_on_bad_options(built_store, tmp_path):
    out = tmp_path / "dump.ttl"
    run = diplokg("export", "--format", "pdf", "-o", str(out), store=built_store)
    assert run.code == 2
    assert not out.exists()
