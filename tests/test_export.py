"""`diplokg export`: every format parses back to exactly what the store holds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from conftest import diplokg

DATASET_FORMATS = {"nq": ("nquads", ox.RdfFormat.N_QUADS), "trig": ("trig", ox.RdfFormat.TRIG),
                   "jsonld": ("json-ld", ox.RdfFormat.JSON_LD)}
TRIPLE_FORMATS = {"ttl": ("turtle", ox.RdfFormat.TURTLE), "nt": ("nt", ox.RdfFormat.N_TRIPLES),
                  "xml": ("xml", ox.RdfFormat.RDF_XML)}
INFERRED = "https://w3id.org/diplokg/graph/inferred"


def reference_dataset(store_path) -> rdflib.Dataset:
    """What the store holds, read through an N-Quads dump made by pyoxigraph itself."""
    store = ox.Store.read_only(str(store_path.resolve() / "oxigraph"))
    dataset = rdflib.Dataset()
    dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
    return dataset


def graphs_of(dataset: rdflib.Dataset, selection: str) -> dict[str, rdflib.Graph]:
    chosen = {}
    for graph in dataset.graphs():
        name = str(graph.identifier)
        if len(graph) and (selection == "all" or (selection == "inferred") == (name == INFERRED)):
            chosen[name] = graph
    return chosen


def merged(graphs: dict[str, rdflib.Graph]) -> rdflib.Graph:
    union = rdflib.Graph()
    for graph in graphs.values():
        union += graph
    return union


@pytest.mark.parametrize("fmt", DATASET_FORMATS)
@pytest.mark.parametrize("selection", ["all", "asserted", "inferred"])
def test_dataset_formats_keep_every_named_graph(built_store, tmp_path, fmt, selection):
    out = tmp_path / f"dump.{fmt}"
    run = diplokg("export", "--format", fmt, "--graphs", selection, "-o", str(out), store=built_store)
    assert run.code == 0, run.output
    expected = graphs_of(reference_dataset(built_store), selection)
    rdflib_format, ox_format = DATASET_FORMATS[fmt]
    parsed = rdflib.Dataset()
    parsed.parse(out, format=rdflib_format)
    got = graphs_of(parsed, "all")
    assert set(got) == set(expected)
    for name in expected:
        assert isomorphic(got[name], expected[name]), name
    # pyoxigraph reads it back to the same number of quads
    quads = list(ox.parse(path=str(out), format=ox_format))
    assert len(quads) == sum(len(g) for g in expected.values())
    assert {q.graph_name.value for q in quads} == set(expected)


@pytest.mark.parametrize("fmt", TRIPLE_FORMATS)
def test_triple_formats_hold_the_merge_of_the_graphs(built_store, tmp_path, fmt):
    out = tmp_path / f"dump.{fmt}"
    assert diplokg("export", "--format", fmt, "-o", str(out), store=built_store).code == 0
    rdflib_format, ox_format = TRIPLE_FORMATS[fmt]
    expected = merged(graphs_of(reference_dataset(built_store), "all"))
    assert isomorphic(rdflib.Graph().parse(out, format=rdflib_format), expected)
    assert len(set(ox.parse(path=str(out), format=ox_format))) == len(expected)


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
