"""`diplokg build`: stages, summary, manifest and the atomically published store."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, assert_no_traceback, diplokg


def test_build_reports_each_stage_and_a_summary(tmp_path):
    run = diplokg("build", store=tmp_path / "store")
    assert run.code == 0, run.output
    for stage in ("load", "validate", "reason", "store"):
        assert f"✓ {stage}" in run.stderr
    assert "graph:inferred" in run.stderr
    assert "graph:ontology" in run.stderr
    assert "asserted" in run.stderr and "inferred" in run.stderr
    assert_no_traceback(run)


def test_manifest_records_inputs_counts_timings_and_versions(built_store):
    manifest = json.loads((built_store.resolve() / "manifest.json").read_text())
    files = {entry["file"] for entry in manifest["inputs"]}
    assert str(ROOT / "data" / "sources" / "catalog.ttl") in files
    assert all(len(entry["sha256"]) == 64 for entry in manifest["inputs"])
    graphs = manifest["triples_per_graph"]
    assert graphs["https://w3id.org/diplokg/graph/inferred"] > 0
    assert graphs["https://w3id.org/diplokg/graph/document/000_a2fe28b85ae602ee"] > 0
    inferred_total = sum(manifest["inferred_by_predicate"].values())
    assert inferred_total == graphs["https://w3id.org/diplokg/graph/inferred"]
    assert set(manifest["timings_seconds"]) == {"load", "validate", "reason", "store"}
    assert {"rdflib", "owlrl", "pyoxigraph", "pyshacl"} <= set(manifest["packages"])


def test_every_document_has_its_own_named_graph(built_store):
    run = diplokg("query", "-e", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv", store=built_store)
    graphs = set(run.stdout.split()[1:])
    documents = sorted(p.stem for p in (ROOT / "data" / "documents").glob("*.ttl"))
    assert {f"https://w3id.org/diplokg/graph/document/{d}" for d in documents} <= graphs
    assert {
        "https://w3id.org/diplokg/graph/ontology",
        "https://w3id.org/diplokg/graph/reference",
        "https://w3id.org/diplokg/graph/sources",
        "https://w3id.org/diplokg/graph/inferred",
    } <= graphs


def test_inferred_triples_are_never_mixed_with_asserted_ones(built_store):
    overlap = diplokg(
        "query", "-e",
        """SELECT (COUNT(*) AS ?n) WHERE {
             GRAPH <https://w3id.org/diplokg/graph/inferred> { ?s ?p ?o }
             GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/diplokg/graph/inferred>) }""",
        "--format", "csv", store=built_store,
    )
    assert overlap.stdout.split() == ["n", "0"]


def test_no_generalized_or_vocabulary_noise_in_the_inferred_graph(built_store):
    noise = diplokg(
        "query", "-e",
        """SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/diplokg/graph/inferred> { ?s ?p ?o }
             FILTER(STRSTARTS(STR(?s), "http://www.w3.org/2002/07/owl#") || ?s = ?o) }""",
        "--format", "csv", store=built_store,
    )
    assert noise.stdout.split() == ["n", "0"]


def test_a_rebuild_swaps_in_a_new_store_and_keeps_the_previous_one_for_readers(tmp_path):
    store = tmp_path / "store"
    assert diplokg("build", store=store).code == 0
    first = store.resolve()
    assert diplokg("build", store=store).code == 0
    second = store.resolve()
    assert first != second and store.is_symlink()
    assert first.exists(), "the previous generation stays for readers that opened it"
    assert diplokg("build", store=store).code == 0
    assert not first.exists(), "older generations are pruned"


@pytest.mark.reliability("Interrupted and failed builds", "two builds at once: the second is refused by the lock")
def test_concurrent_builds_are_refused_while_one_holds_the_lock(tmp_path):
    import fcntl

    store = tmp_path / "store"
    lock = tmp_path / "store.lock"
    with open(lock, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        run = diplokg("build", store=store)
    assert run.code == 2
    assert "another build" in run.stderr
    assert_no_traceback(run)


def test_querying_before_any_build_says_what_to_do(tmp_path):
    run = diplokg("ask", "alliances-left", store=tmp_path / "nothing")
    assert run.code == 2
    assert "run `diplokg build` first" in run.stderr
    assert_no_traceback(run)


def test_a_contradiction_found_while_the_store_is_written_publishes_nothing(tmp_path, project_copy):
    # The reasoner runs beside the write of the asserted quads: when it finds a
    # contradiction, the generation written so far must go and the old store stay.
    store = tmp_path / "store"
    assert diplokg("build", store=store, project=project_copy).code == 0
    before, generation = store.resolve(), sorted(store.resolve().parent.iterdir())
    states = project_copy / "data" / "reference" / "states.ttl"
    states.write_text(states.read_text().replace("dkg:armenia a dip:State ;", "dkg:armenia a dip:State, dip:Person ;", 1))
    run = diplokg("build", store=store, project=project_copy)
    assert run.code == 2 and "which are disjoint (owl:disjointWith)" in run.stderr, run.output
    assert "✓ store" not in run.stderr
    assert_no_traceback(run)
    assert store.resolve() == before and sorted(before.parent.iterdir()) == generation


def test_stopping_the_rules_ends_the_fixpoint_between_updates():
    import threading

    import pyoxigraph as ox

    from diplokg import load, rules, validate
    from diplokg.project import Project

    corpus, _ = load.read(Project.locate(ROOT))
    working = validate.working_store(corpus)
    stop = threading.Event()
    stop.set()
    with pytest.raises(rules.Stopped):
        rules.close_instances(working, stop)
    inferred = ox.NamedNode("https://w3id.org/diplokg/graph/inferred")
    assert not any(True for _ in working.quads_for_pattern(None, None, None, inferred)), "no update ran"
