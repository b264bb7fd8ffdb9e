"""Turn what a user types for a parameter (IRI, prefixed name, label, date) into an RDF term."""

from __future__ import annotations

import datetime
import difflib
import re
from collections import defaultdict
from collections.abc import Callable

import pyoxigraph as ox

from .canned import Parameter
from .errors import InputError
from .namespaces import PREFIXES, XSD
from .query import QueryResult, Term

RunQuery = Callable[[str, dict[str, Term]], QueryResult]

_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?label WHERE {
  VALUES ?property { rdfs:label skos:prefLabel skos:altLabel }
  ?entity ?property ?label .
  FILTER(isIRI(?entity))
}"""
# Substituted variables must be projected (SEP-0007), hence ?class and ?entity.
_INSTANCES = "SELECT DISTINCT ?entity ?class WHERE { ?entity a ?class }"
_SUBJECT = "SELECT ?entity WHERE { ?entity ?p ?o } LIMIT 1"
_PREFIXED = re.compile(r"^([A-Za-z][\w-]*)?:([\w.-]*)$")
_FORMATS = {"xsd:date": "YYYY-MM-DD", "xsd:integer": "a whole number", "xsd:gYear": "YYYY",
            "xsd:gYearMonth": "YYYY-MM", "xsd:string": "any text"}
_LITERAL_CHECKS = {
    "xsd:date": datetime.date.fromisoformat,
    "xsd:integer": int,
    "xsd:gYear": lambda v: re.fullmatch(r"-?\d{4}", v) or _fail(),
    "xsd:gYearMonth": lambda v: re.fullmatch(r"-?\d{4}-(0[1-9]|1[0-2])", v) or _fail(),
    "xsd:string": str,
}


class ResolutionError(InputError):
    """A parameter value that names no entity, or more than one."""


class EntityResolver:
    """Resolves parameter values against the labels in one graph, through its query function."""

    def __init__(self, run: RunQuery):
        self._run = run
        self._by_label: dict[str, set[ox.NamedNode]] | None = None
        self._written: dict[str, str] = {}  # normalised label -> a spelling to show

    def term(self, parameter: Parameter, value: str) -> Term:
        """The RDF term ``value`` stands for, given the parameter's declared type."""
        if parameter.is_literal:
            return _literal(parameter, value)
        iri = self._iri(value)
        if iri is not None:
            if self._run(_SUBJECT, {"entity": iri}).is_empty():
                raise ResolutionError(f"{parameter.name}: {value!r} is not described in the graph" + self._suggest(value, parameter))
            return iri
        candidates = self._labelled(value) & self._instances(parameter.type)
        if len(candidates) == 1:
            return next(iter(candidates))
        if not candidates:
            raise ResolutionError(f"{parameter.name}: nothing of type {parameter.type} is called {value!r}" + self._suggest(value, parameter))
        names = ", ".join(sorted(c.value for c in candidates))
        raise ResolutionError(f"{parameter.name}: {value!r} is ambiguous; it names {names}. Use an IRI or a prefixed name.")

    def _iri(self, value: str) -> ox.NamedNode | None:
        text = value.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if re.match(r"^https?://\S+$", text):
            return _named_node(text)
        prefixed = _PREFIXED.match(text)
        if prefixed and (prefixed.group(1) or "") in PREFIXES:
            return _named_node(PREFIXES[prefixed.group(1) or ""] + prefixed.group(2))
        return None

    def _labelled(self, value: str) -> set[ox.NamedNode]:
        return set(self._labels().get(_normalise(value), set()))

    def _labels(self) -> dict[str, set[ox.NamedNode]]:
        if self._by_label is None:
            index: dict[str, set[ox.NamedNode]] = defaultdict(set)
            for entity, label in self._run(_LABELS, {}).rows:
                key = _normalise(label.value)
                index[key].add(entity)
                self._written.setdefault(key, label.value)
            self._by_label = dict(index)
        return self._by_label

    def _instances(self, class_name: str) -> set[ox.NamedNode]:
        class_iri = self._iri(class_name)
        if class_iri is None:
            raise InputError(f"parameter type {class_name!r} is not a class IRI or prefixed name")
        return {row[0] for row in self._run(_INSTANCES, {"class": class_iri}).rows}

    def _suggest(self, value: str, parameter: Parameter) -> str:
        of_type = self._instances(parameter.type)
        names = sorted({label for label, entities in self._labels().items() if entities & of_type})
        close = difflib.get_close_matches(_normalise(value), names, n=5, cutoff=0.5)
        if close:
            return ". Closest matches: " + ", ".join(repr(self._written[c]) for c in close)
        return f". Known names: {', '.join(repr(self._written[n]) for n in names[:10])}" if names else ""


def _normalise(label: str) -> str:
    text = " ".join(label.casefold().split())
    return text[4:] if text.startswith("the ") else text


def _named_node(iri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise InputError(f"{iri!r} is not a valid IRI: {error}") from None


def _literal(parameter: Parameter, value: str) -> ox.Literal:
    check = _LITERAL_CHECKS.get(parameter.type)
    if check is None:
        raise InputError(f"parameter type {parameter.type} is not supported")
    try:
        check(value)
    except (ValueError, TypeError):
        raise InputError(
            f"{parameter.name}: {value!r} is not a valid {parameter.type} (write {_FORMATS[parameter.type]})"
        ) from None
    return ox.Literal(value, datatype=ox.NamedNode(XSD + parameter.type.split(":", 1)[1]))


def _fail() -> None:
    raise ValueError
