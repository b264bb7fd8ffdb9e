"""Checks every build makes besides the SHACL shapes and the reasoner.

Each catches a mistake people make when they write Turtle by hand, and names the
file and line: a term the ontology does not define (a typo such as dip:memberof),
a literal that is not valid for its datatype ("2024-13-01"^^xsd:date), a catalogue
out of step with the files, an evidence quote its source does not contain, and one
entity under two IRIs or one IRI with two labels. They run on whatever files parsed,
so one pass reports them all.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .errors import Problem
from .load import Corpus, LoadedFile
from .namespaces import DIP, PREFIXES, RDF, RDFS, XSD, shorten
from .project import Project

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
# The few RDF, RDFS and OWL terms data may use without the ontology naming them.
LANGUAGE_TERMS = {RDF_TYPE, RDFS_LABEL, RDFS + "comment", RDFS + "seeAlso", "http://www.w3.org/2002/07/owl#sameAs"}
# Namespaces diplokg defines: every term used from them must be defined in ontology/.
OWN_NAMESPACES = tuple(PREFIXES[p] for p in ("dip", "dks", "dket", "dkas", "dkt"))
# Datatypes whose lexical forms the SPARQL engine can check (by casting), with the form expected.
LEXICAL_FORMS = {
    "date": "YYYY-MM-DD", "dateTime": "YYYY-MM-DDThh:mm:ss", "time": "hh:mm:ss", "gYear": "YYYY",
    "gYearMonth": "YYYY-MM", "gMonth": "--MM", "gMonthDay": "--MM-DD", "gDay": "---DD",
    "integer": "digits, e.g. 42", "decimal": "e.g. 4.2", "double": "e.g. 4.2E1", "float": "e.g. 4.2E1",
    "boolean": "true or false", "duration": "e.g. P1Y2M", "dayTimeDuration": "e.g. P2DT3H",
    "yearMonthDuration": "e.g. P1Y2M",
}


def check(corpus: Corpus, project: Project, vocabulary: bool = True) -> list[Problem]:
    """Every problem these checks find in the corpus, all at once.

    ``vocabulary=False`` skips the check of terms, for when the ontology could not be read.
    """
    return [
        *(unknown_terms(corpus) if vocabulary else []),
        *ill_typed_literals(corpus),
        *catalogue_mismatches(corpus, project),
        *quotes_not_in_their_source(corpus, project),
        *duplicate_entities(corpus),
    ]


def unknown_terms(corpus: Corpus) -> list[Problem]:
    """Classes and properties the data uses that the ontology does not define."""
    defined = {q.subject.value for q in corpus.quads({"ontology"}) if isinstance(q.subject, ox.NamedNode)}
    defined |= LANGUAGE_TERMS
    problems = []
    for loaded in corpus.files:
        if loaded.source.role == "ontology":
            continue
        reported: set[str] = set()
        for quad in loaded.quads:
            used = [(quad.predicate.value, "property")]
            if quad.predicate.value == RDF_TYPE and isinstance(quad.object, ox.NamedNode):
                used.append((quad.object.value, "class"))
            elif isinstance(quad.object, ox.NamedNode) and quad.object.value.startswith(OWN_NAMESPACES):
                used.append((quad.object.value, "term"))
            for iri, kind in used:
                if iri in defined or iri in reported:
                    continue
                reported.add(iri)
                near = _closest(iri, defined)
                hint = f"; did you mean {shorten(near)}?" if near else "; define it in ontology/ or use a defined term"
                problems.append(Problem(loaded.source.path, f"unknown {kind} {shorten(iri)}: the ontology does not define it"
                                        + hint, line_of(loaded.source.path, _spellings(loaded, iri))))
    return problems


def ill_typed_literals(corpus: Corpus) -> list[Problem]:
    """Literals whose text is not a valid value of their XSD datatype."""
    typed = {(q.object.value, q.object.datatype.value) for q in corpus.quads()
             if isinstance(q.object, ox.Literal) and q.object.datatype.value[len(XSD):] in LEXICAL_FORMS
             and q.object.datatype.value.startswith(XSD)}
    invalid = _invalid_lexical_forms(typed)
    problems = []
    for loaded in corpus.files:
        for quad in loaded.quads:
            literal = quad.object
            if isinstance(literal, ox.Literal) and (literal.value, literal.datatype.value) in invalid:
                name = literal.datatype.value[len(XSD):]
                problems.append(Problem(
                    loaded.source.path,
                    f'"{literal.value}" is not a valid xsd:{name} (expected {LEXICAL_FORMS[name]}); '
                    "a date known only in part keeps its precision: xsd:gYearMonth or xsd:gYear",
                    line_of(loaded.source.path, [f'"{literal.value}"^^'])))
    return problems


def catalogue_mismatches(corpus: Corpus, project: Project) -> list[Problem]:
    """Source texts, their catalogue entries and their encodings must match one for one."""
    catalogue = [f for f in corpus.files if f.source.role == "sources"]
    entries = {q.object.value: (loaded, q.subject) for loaded in catalogue for q in loaded.quads
               if q.predicate.value == DIP + "fileName"}
    digests = {q.subject: q.object.value for loaded in catalogue for q in loaded.quads
               if q.predicate.value == DIP + "sha256"}
    problems = []
    for name, (loaded, document) in sorted(entries.items()):
        text = project.sources_dir / name
        line = line_of(loaded.source.path, [f'"{name}"'])
        if not text.is_file():
            problems.append(Problem(loaded.source.path, f"{shorten(document.value)} is catalogued, but its text "
                                    f"{name} is not in {project.sources_dir.name}/; add the file or remove the entry",
                                    line))
            continue
        actual = hashlib.sha256(text.read_bytes()).hexdigest()
        if document in digests and digests[document] != actual:
            problems.append(Problem(loaded.source.path, f"{name} has changed since it was catalogued (its sha256 is "
                                    f"now {actual}); check its encoding still holds, then update dip:sha256", line))
        if not (project.documents_dir / f"{Path(name).stem}.ttl").is_file():
            problems.append(Problem(loaded.source.path, f"{shorten(document.value)} is catalogued but has no encoding; "
                                    f"add {project.documents_dir.name}/{Path(name).stem}.ttl", line))
    catalogued_stems = {Path(name).stem for name in entries}
    for text in sorted(project.sources_dir.glob("*.txt")):
        if text.name not in entries:
            problems.append(Problem(text, "this source text is not in the catalogue; add an entry with its dip:fileName "
                                    "and dip:sha256 to a catalogue file in the same folder"))
    for loaded in corpus.files:
        if loaded.source.role == "document" and loaded.source.path.stem not in catalogued_stems:
            problems.append(Problem(loaded.source.path, "this encodes a document the catalogue does not list; add its "
                                    f"source text {loaded.source.path.stem}.txt and a catalogue entry"))
    return problems


def quotes_not_in_their_source(corpus: Corpus, project: Project) -> list[Problem]:
    """Evidence quotes must occur in their source's text (whitespace aside)."""
    quads = list(corpus.quads())
    file_names = {q.subject: q.object.value for q in quads if q.predicate.value == DIP + "fileName"}
    sources = {q.subject: q.object for q in quads if q.predicate.value == DIP + "source"}
    texts: dict[str, str | None] = {}
    problems = []
    for loaded in corpus.files:
        for quad in loaded.quads:
            if quad.predicate.value != DIP + "quote" or sources.get(quad.subject) not in file_names:
                continue
            name = file_names[sources[quad.subject]]
            if name not in texts:
                path = project.sources_dir / name
                texts[name] = _normalise(path.read_text(encoding="utf-8", errors="replace")) if path.is_file() else None
            if texts[name] is not None and _normalise(quad.object.value) not in texts[name]:
                problems.append(Problem(loaded.source.path, f"the quote is not in its source {name}: "
                                        f"“{quad.object.value[:80]}”; quote the sentence exactly as the source has it",
                                        line_of(loaded.source.path, [quad.object.value[:40]])))
    return problems


def duplicate_entities(corpus: Corpus) -> list[Problem]:
    """One entity under two IRIs (same class, same label), or one IRI with two labels in a language."""
    asserted = [(loaded, q) for loaded in corpus.files if loaded.source.role != "ontology" for q in loaded.quads]
    labels: dict[ox.NamedNode, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    where: dict[ox.NamedNode, LoadedFile] = {}
    for loaded, quad in asserted:
        if quad.predicate.value == RDFS_LABEL and isinstance(quad.subject, ox.NamedNode):
            labels[quad.subject][quad.object.language or ""].add(quad.object.value)
            where.setdefault(quad.subject, loaded)
    problems = []
    for entity, by_language in labels.items():
        for language, values in by_language.items():
            if len(values) > 1:
                shown = " and ".join(f'"{v}"' for v in sorted(values))
                problems.append(_at(where[entity], entity, f"{shorten(entity.value)} has two {language or 'untagged'} "
                                    f"labels, {shown}; keep one rdfs:label and make the others skos:altLabel"))
    named: dict[tuple[str, str], set[ox.NamedNode]] = defaultdict(set)
    for _, quad in asserted:
        if quad.predicate.value == RDF_TYPE and quad.subject in labels:
            for values in labels[quad.subject].values():
                for value in values:
                    named[(quad.object.value, " ".join(value.casefold().split()))].add(quad.subject)
    for (cls, label), entities in sorted(named.items()):
        if len(entities) > 1:
            first, *others = sorted(entities, key=lambda e: e.value)
            for other in others:
                problems.append(_at(where[other], other, f"{shorten(other.value)} and {shorten(first.value)} are both "
                                    f"{shorten(cls)} labelled “{label}”: one entity under two IRIs? Use one IRI "
                                    "everywhere, or give them labels that tell them apart"))
    return problems


def line_of(path: Path, needles: Iterable[str]) -> int | None:
    """The first line of ``path`` containing any of ``needles``."""
    wanted = [n for n in needles if n]
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if any(needle in line for needle in wanted):
            return number
    return None


def term_spellings(text: str, iri: str) -> set[str]:
    """How a Turtle text may write ``iri``: in full, or with any prefix it declares."""
    spellings = {f"<{iri}>"}
    for prefix, namespace in re.findall(r"@?prefix\s+([\w-]*):\s*<([^>]*)>", text, re.IGNORECASE):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            spellings.add(f"{prefix}:{iri[len(namespace):]}")
    return spellings


def _spellings(loaded: LoadedFile, iri: str) -> set[str]:
    return term_spellings(loaded.source.path.read_text(encoding="utf-8", errors="replace"), iri)


def _at(loaded: LoadedFile, entity: ox.NamedNode, message: str) -> Problem:
    spellings = _spellings(loaded, entity.value)
    return Problem(loaded.source.path, message, line_of(loaded.source.path, spellings))


def _invalid_lexical_forms(typed: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (text, datatype) pairs the engine cannot cast to their datatype, checked in one query."""
    if not typed:
        return set()
    rows = " ".join(f"({ox.Literal(text)} {ox.NamedNode(datatype)})" for text, datatype in typed)
    cast = '"invalid"'
    for name in LEXICAL_FORMS:
        cast = f"IF(?datatype = <{XSD}{name}>, <{XSD}{name}>(?text), {cast})"
    found = ox.Store().query(f"""
        SELECT ?text ?datatype WHERE {{
          VALUES (?text ?datatype) {{ {rows} }}
          FILTER(sameTerm(COALESCE({cast}, "invalid"), "invalid"))
        }}""")
    return {(row["text"].value, row["datatype"].value) for row in found}


def _closest(iri: str, known: set[str]) -> str | None:
    """The defined term of the same namespace that ``iri`` most likely misspells."""
    namespace = re.match(r"^(.*[#/])", iri)
    if not namespace:
        return None
    by_local = {k[len(namespace.group(1)):].casefold(): k for k in known if k.startswith(namespace.group(1))}
    local = iri[len(namespace.group(1)):].casefold()
    close = difflib.get_close_matches(local, list(by_local), n=1, cutoff=0.8)
    return by_local[close[0]] if close else None


def _normalise(text: str) -> str:
    return " ".join(text.split())
