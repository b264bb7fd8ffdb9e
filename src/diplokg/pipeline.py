"""The build pipeline: load → validate → reason → store, one stage per module."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from . import integrity, load, reason, validate
from .errors import InvalidInput, Problem
from .namespaces import INFERRED_GRAPH
from .project import Project
from .store import StoreLocation

StageListener = Callable[[str, float], None]
_TRIPLES_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
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

    The stages overlap where that is safe: once the shapes have read the
    asserted data, the reasoner runs on a thread of its own (its SPARQL updates
    release the GIL) while this thread runs the integrity checks and writes the
    asserted quads to disk; the inferred quads follow when the reasoner is done.
    Each stage's timing is its own duration, so together they exceed the wall time.
    """
    timings: dict[str, float] = {}

    def record(name: str, seconds: float) -> None:
        timings[name] = round(seconds, 4)
        if on_stage:
            on_stage(name, timings[name])

    def stage(name: str, work: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = work()
        record(name, time.perf_counter() - started)
        return result

    def inferred_quads() -> Iterator[ox.Quad]:
        reasoning.result()  # re-raises a contradiction: write_generation then removes what it wrote
        record("reason", reasoning.seconds)
        yield from working.quads_for_pattern(None, None, None, INFERRED_GRAPH)

    with location.build_lock():
        corpus, unreadable, working = stage("load", lambda: _load(project))
        reasoning = stage("validate",
                          lambda: _validate_and_start_reasoning(project, corpus, unreadable, working, engine))
        try:
            generation = stage("store", lambda: location.write_generation(chain(corpus.quads(), inferred_quads())))
        finally:
            reasoning.stop()
        inferred = reasoning.result()
        triples_per_graph = dict(sorted((row["g"].value, int(row["n"].value)) for row in working.query(_TRIPLES_PER_GRAPH)))
        location.write_manifest(generation, _manifest(corpus, triples_per_graph, inferred, timings, engine))
        location.publish(generation)
    return BuildReport(location, triples_per_graph, inferred, timings)


def infer(corpus: load.Corpus, engine: str = "rules", store: ox.Store | None = None,
          stop: threading.Event | None = None) -> tuple[ox.Store, reason.Inference]:
    """A store with the corpus (``store`` if given) and its closure; contradictions name their file."""
    working = store if store is not None else validate.working_store(corpus)
    inferred = reason.reason(working, engine=engine, locate=lambda node: validate.locate(corpus, node), stop=stop)
    return working, inferred


def check(project: Project) -> load.Corpus:
    """Every check a build makes (syntax, integrity, shapes, OWL consistency), writing nothing."""
    corpus, unreadable, working = _load(project)
    _validate_and_start_reasoning(project, corpus, unreadable, working).result()
    return corpus


class BackgroundReasoning:
    """``infer`` on a thread of its own, started once the shapes have read the store."""

    def __init__(self, corpus: load.Corpus, engine: str, working: ox.Store):
        self.seconds = 0.0
        self._stop = threading.Event()
        self._outcome: reason.Inference | BaseException | None = None
        # A daemon: Ctrl-C must not wait for a fixpoint nobody will use.
        self._thread = threading.Thread(target=self._run, args=(corpus, engine, working), daemon=True,
                                        name="diplokg-reason")
        self._thread.start()

    def _run(self, corpus: load.Corpus, engine: str, working: ox.Store) -> None:
        started = time.perf_counter()
        try:
            self._outcome = infer(corpus, engine, working, self._stop)[1]
        except BaseException as error:  # handed to the waiting thread by result()
            self._outcome = error
        self.seconds = time.perf_counter() - started

    def result(self) -> reason.Inference:
        """The inference, once done; a contradiction found is raised here."""
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome

    def stop(self) -> None:
        """Give up between two rule updates (the build failed elsewhere)."""
        self._stop.set()


def _load(project: Project) -> tuple[load.Corpus, list[Problem], ox.Store]:
    """The files that parse, what is wrong with the others, and a store holding the former."""
    corpus, unreadable = load.read(project)
    return corpus, unreadable, validate.working_store(corpus)


def _validate_and_start_reasoning(project: Project, corpus: load.Corpus, unreadable: list[Problem], working: ox.Store,
              engine: str = "rules") -> BackgroundReasoning:
    """Start the reasoner once the shapes have passed; raise InvalidInput with every problem found.

    The problems come in this order: the unreadable files', the integrity checks',
    the shapes'. The shapes run only when every file was read: on part of the corpus
    they would report as missing what the unreadable files hold. They run before the
    reasoner starts writing to the store they read; the integrity checks (Python,
    on the parsed files) run beside it. OWL consistency is the reasoner's to report.
    """
    ontology_read = not any(p.file and project.ontology_dir in Path(p.file).parents for p in unreadable)
    shape_problems = [] if unreadable else validate.validate(corpus, project.shapes_file, working)
    reasoning = None if unreadable or shape_problems else BackgroundReasoning(corpus, engine, working)
    problems = [*unreadable, *integrity.check(corpus, project, vocabulary=ontology_read), *shape_problems]
    if problems:
        if reasoning:
            reasoning.stop()
        raise InvalidInput(problems)
    return reasoning


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
