"""Stage 2, validate: check the asserted data against the SHACL shapes with pyshacl."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import SH

from .errors import Problem
from .integrity import term_spellings
from .load import Corpus, load_file
from .namespaces import RDF, SHAPES_GRAPH, shorten
from .project import InputFile
from .terms import rdflib_graph, to_oxigraph


RDF_TYPE = RDF + "type"


def validate(corpus: Corpus, shapes_file: Path) -> list[Problem]:
    """Every SHACL violation in the corpus, located by file, focus node and path."""
    shapes = rdflib_graph(load_file(InputFile(shapes_file, SHAPES_GRAPH, "shapes")).quads)
    data = rdflib_graph(corpus.quads())
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return []
    # Top-level results only: nested sh:detail results repeat them in less readable terms.
    results = [r for r in report.objects(None, SH.result) if (r, SH.resultSeverity, SH.Violation) in report]
    problems = [_problem(corpus, report, result) for result in results]
    return sorted(problems, key=lambda p: (str(p.file), p.line or 0, p.focus or "", p.message))


def _problem(corpus: Corpus, report: rdflib.Graph, result: rdflib.term.Node) -> Problem:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    message = str(report.value(result, SH.resultMessage) or "violates a shape")
    named = _named_subject(corpus, to_oxigraph(focus))
    file, line = locate(corpus, named)
    if isinstance(focus, rdflib.BNode):
        described = "a blank node" + (f" inside {shorten(named.value)}" if isinstance(named, ox.NamedNode) else "")
    else:
        described = shorten(str(focus))
    return Problem(file, message, line, focus=described, path=shorten(str(path)) if path else None)


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
