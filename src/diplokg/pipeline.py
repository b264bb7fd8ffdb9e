"""The build pipeline: load → validate → reason → store, one stage per module."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox

from . import integrity, load, reason, validate
from .errors import InvalidInput, Problem
from .namespaces import INFERRED_GRAPH
from .project import Project
from .store import StoreLocation

StageListener = Callable[[str, float], None]
_PACKAGES = ("diplokg", "rdflib", "owlrl", "pyoxigraph", "pyshacl", "jinja2")


@dataclass(frozen=True)
class BuildReport:
    """What a build produced; also written to the store's manifest."""

    store: StoreLocation
    triples_per_graph: dict[str, int]
    inferred: reason.Inference
    timings: dict[str, float]

    @property
    def asserted_triples(self) -> int:
        return sum(n for g, n in self.triples_per_graph.items() if g != INFERRED_GRAPH.value)


def build(project: Project, location: StoreLocation, on_stage: StageListener | None = None,
          engine: str = "rules") -> BuildReport:
    """Build a fresh store from the project's files and publish it atomically.

    Raises InvalidInput (nothing published) when any input is unreadable or
    violates the shapes or the ontology.
    """
    timings: dict[str, float] = {}

    def stage(name: str, work: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = work()
        timings[name] = round(time.perf_counter() - started, 4)
        if on_stage:
            on_stage(name, timings[name])
        return result

    with location.build_lock():
        corpus, unreadable = stage("load", lambda: load.read(project))
        stage("validate", lambda: _validate(project, corpus, unreadable))
        working, inferred = stage("reason", lambda: infer(corpus, engine))
        counts = Counter(q.graph_name.value for q in working.quads_for_pattern(None, None, None, None))
        triples_per_graph = dict(sorted(counts.items()))
        generation = stage("store", lambda: location.write_generation(working.quads_for_pattern(None, None, None, None)))
        location.write_manifest(generation, _manifest(corpus, triples_per_graph, inferred, timings, engine))
        location.publish(generation)
    return BuildReport(location, triples_per_graph, inferred, timings)


def infer(corpus: load.Corpus, engine: str = "rules") -> tuple[ox.Store, reason.Inference]:
    """An in-memory store with the corpus and its closure; contradictions name their file."""
    working = ox.Store()
    working.bulk_extend(corpus.quads())
    inferred = reason.reason(working, engine=engine, locate=lambda node: validate.locate(corpus, node))
    return working, inferred


def check(project: Project) -> load.Corpus:
    """Every check a build makes (syntax, integrity, shapes, OWL consistency), writing nothing."""
    corpus, unreadable = load.read(project)
    _validate(project, corpus, unreadable)
    infer(corpus)
    return corpus


def _validate(project: Project, corpus: load.Corpus, unreadable: list[Problem]) -> None:
    """Raise InvalidInput with every problem found: the unreadable files', then those of the rest.

    The shapes run only when every file was read: on part of the corpus they would
    report as missing what the unreadable files hold. OWL consistency comes after.
    """
    ontology_read = not any(p.file and project.ontology_dir in Path(p.file).parents for p in unreadable)
    problems = [*unreadable, *integrity.check(corpus, project, vocabulary=ontology_read)]
    if not unreadable:
        problems += validate.validate(corpus, project.shapes_file)
    if problems:
        raise InvalidInput(problems)


def _manifest(corpus: load.Corpus, triples_per_graph: dict[str, int], inferred: reason.Inference,
              timings: dict[str, float], engine: str) -> dict:
    return {
        "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "reasoner": engine,
        "inputs": [
            {
                "file": str(f.source.path),
                "role": f.source.role,
                "graph": f.source.graph.value,
                "sha256": f.sha256,
                "triples": len(f.quads),
            }
            for f in corpus.files
        ],
        "triples_per_graph": triples_per_graph,
        "inferred_by_predicate": inferred.by_predicate,
        "inferred_noise_dropped": inferred.vocabulary_noise_dropped,
        "timings_seconds": dict(timings),
        "packages": {name: _version(name) for name in _PACKAGES},
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"
