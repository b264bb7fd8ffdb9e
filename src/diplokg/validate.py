"""Stage 2, validate: check the asserted data against the SHACL shapes (compiled to SPARQL, or pyshacl)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from . import shacl
from .errors import Problem
from .integrity import term_spellings
from .load import Corpus, load_file
from .namespaces import RDF, SHAPES_GRAPH, shorten
from .project import InputFile
from .terms import rdflib_graph, to_oxigraph


RDF_TYPE = RDF + "type"


def validate(corpus: Corpus, shapes_file: Path, store: ox.Store | None = None, engine: str = "sparql") -> list[Problem]:
    """Every SHACL violation in the corpus, located by file, focus node and path.

    ``engine`` "sparql" runs the shapes compiled to SPARQL inside ``store``
    (a store holding exactly the corpus; made here if not given), falling back
    to "pyshacl", the reference, for shapes the compiler does not cover.
    """
    shapes = load_file(InputFile(shapes_file, SHAPES_GRAPH, "shapes")).quads
    if engine == "sparql":
        try:
            compiled = shacl.compile_shapes(shapes)
        except shacl.Unsupported:
            engine = "pyshacl"
    if engine == "sparql":
        results = shacl.run(compiled, store if store is not None else working_store(corpus))
    else:
        results = _pyshacl_results(corpus, shapes)
    problems = [_problem(corpus, focus, message, path) for focus, message, path in results]
    return sorted(problems, key=lambda p: (str(p.file), p.line or 0, p.focus or "", p.message))


def working_store(corpus: Corpus) -> ox.Store:
    """An in-memory store holding the corpus, each file in its named graph."""
    store = ox.Store()
    store.bulk_extend(corpus.quads())
    return store


Result = tuple[ox.NamedNode | ox.BlankNode, str, ox.NamedNode | None]


def _pyshacl_results(corpus: Corpus, shapes: list[ox.Quad]) -> list[Result]:
    # Imported here: only the reference path needs them, and they are slow to import.
    import pyshacl
    from rdflib.namespace import SH

    data = rdflib_graph(corpus.quads())
    conforms, report, _ = pyshacl.validate(data, shacl_graph=rdflib_graph(shapes), inference="none",
                                           allow_warnings=True)
    if conforms:
        return []
    # Top-level results only: nested sh:detail results repeat them in less readable terms.
    results = [r for r in report.objects(None, SH.result) if (r, SH.resultSeverity, SH.Violation) in report]
    found = []
    for result in results:
        path = report.value(result, SH.resultPath)
        found.append((to_oxigraph(report.value(result, SH.focusNode)),
                      str(report.value(result, SH.resultMessage) or "violates a shape"),
                      to_oxigraph(path) if path is not None else None))
    return found


def _problem(corpus: Corpus, focus: ox.NamedNode | ox.BlankNode, message: str, path: ox.NamedNode | None) -> Problem:
    named = _named_subject(corpus, focus)
    file, line = locate(corpus, named)
    if isinstance(focus, ox.BlankNode):
        described = "a blank node" + (f" inside {shorten(named.value)}" if isinstance(named, ox.NamedNode) else "")
    else:
        described = shorten(focus.value)
    return Problem(file, message, line, focus=described, path=shorten(path.value) if path else None)


def locate(corpus: Corpus, subject: ox.NamedNode | ox.BlankNode) -> tuple[Path | None, int | None]:
    """The file (and, for an IRI, the line) that describes ``subject``, preferring one that types it."""
    files = corpus.files_with_subject(subject)
    if not files:
        return None, None
    typed = [f for f in files if any(q.subject == subject and q.predicate.value == RDF_TYPE for q in f.quads)]
    file = (typed or files)[0].source.path
    return file, _line_of(file, subject) if isinstance(subject, ox.NamedNode) else None


def _named_subject(corpus: Corpus, node: ox.NamedNode | ox.BlankNode) -> ox.NamedNode | ox.BlankNode:
    """The IRI that (through blank nodes) holds ``node``, so a problem can point at a line."""
    seen = set()
    while isinstance(node, ox.BlankNode) and node not in seen:
        seen.add(node)
        parents = [q.subject for q in corpus.quads() if q.object == node]
        if not parents:
            break
        node = parents[0]
    return node


def _line_of(file: Path, subject: ox.NamedNode) -> int | None:
    """The first line of ``file`` that starts with ``subject``, written in full or prefixed."""
    text = file.read_text(encoding="utf-8")
    spellings = term_spellings(text, subject.value)
    for number, line in enumerate(text.splitlines(), start=1):
        if any(re.match(re.escape(s) + r"(\s|$)", line) for s in spellings):
            return number
    return None
