"""SHACL shapes compiled to SPARQL queries that run inside the store.

pyshacl (the reference) validates an rdflib copy of the data in Python, which
dominates build time at scale. The SHACL Core constraints the shapes use are
each a pattern a SPARQL engine evaluates with its indexes, so every node shape
becomes a few SELECT queries, one per constraint component, each returning one
row per validation result as pyshacl reports it: one per focus node for
counts and node-level constraints, one per value node for value constraints.

Supported: sh:targetClass; property shapes with an IRI sh:path and
sh:minCount, sh:maxCount, sh:datatype, sh:class, sh:pattern, sh:minLength,
sh:minInclusive, sh:node, sh:or; node-level sh:or, sh:xone, sh:and,
sh:datatype and sh:property; every reported shape carrying its sh:message.
Anything else raises `Unsupported`, and the caller validates with pyshacl. A
differential test checks that both report the same violations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

import pyoxigraph as ox

from .namespaces import RDF, RDFS, XSD

SH = "http://www.w3.org/ns/shacl#"
# Datatypes whose lexical forms the store can check (by casting), as SHACL's sh:datatype requires.
_CHECKABLE_DATATYPES = {XSD + name for name in (
    "string", "integer", "decimal", "boolean", "date", "dateTime", "gYear", "gYearMonth", "gMonth", "double")}
_VALUE_COMPONENTS = ("datatype", "class", "pattern", "minLength", "minInclusive", "node", "or", "xone", "and")
_KNOWN = {SH + name for name in (*_VALUE_COMPONENTS, "path", "minCount", "maxCount", "message", "property",
                                 "targetClass", "flags")} | {RDF + "type", RDFS + "comment", RDFS + "label"}


class Unsupported(Exception):
    """The shapes use a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class ResultQuery:
    """A SELECT returning ?focus, one row per validation result, all with the same message and path."""

    sparql: str
    message: str
    path: ox.NamedNode | None


class _Shapes:
    """Read access to the shapes graph."""

    def __init__(self, quads: list[ox.Quad]):
        self.store = ox.Store()
        self.store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
        self.variables = count()

    def objects(self, subject, predicate: str) -> list:
        return [q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]

    def value(self, subject, predicate: str):
        values = self.objects(subject, predicate)
        if len(values) > 1:
            raise Unsupported(f"{predicate} given {len(values)} times on one shape")
        return values[0] if values else None

    def items(self, head) -> list:
        items = []
        while head != ox.NamedNode(RDF + "nil"):
            items.append(self.value(head, RDF + "first"))
            head = self.value(head, RDF + "rest")
        return items

    def variable(self) -> str:
        return f"?v{next(self.variables)}"

    def check_known(self, shape) -> None:
        for quad in self.store.quads_for_pattern(shape, None, None):
            if quad.predicate.value not in _KNOWN:
                raise Unsupported(f"{quad.predicate.value} is not compiled to SPARQL")


def compile_shapes(quads: list[ox.Quad]) -> list[ResultQuery]:
    """One query per (node shape, constraint component) for the node shapes with targets."""
    shapes = _Shapes(quads)
    queries = []
    node_shapes = sorted({q.subject for q in shapes.store.quads_for_pattern(
        None, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "NodeShape"))}, key=str)
    for shape in node_shapes:
        classes = shapes.objects(shape, SH + "targetClass")
        if not classes:
            continue
        target = "{ SELECT DISTINCT ?focus WHERE { " + " UNION ".join(
            f"{{ ?focus a/<{RDFS}subClassOf>* {c} }}" for c in classes) + " } }"
        queries += _node_level(shapes, shape, target)
        for property_shape in shapes.objects(shape, SH + "property"):
            queries += _property_level(shapes, property_shape, target)
    return queries


def _node_level(shapes: _Shapes, shape, target: str) -> Iterator[ResultQuery]:
    shapes.check_known(shape)
    for component in _VALUE_COMPONENTS:
        for condition in _value_violations(shapes, shape, component, "?focus"):
            yield ResultQuery(f"SELECT ?focus WHERE {{ {target} FILTER({condition}) }}",
                              _message(shapes, shape), None)


def _property_level(shapes: _Shapes, shape, target: str) -> Iterator[ResultQuery]:
    shapes.check_known(shape)
    path, message = _path(shapes, shape), _message(shapes, shape)
    for condition in _count_violations(shapes, shape, path, "?focus"):
        yield ResultQuery(f"SELECT ?focus WHERE {{ {target} FILTER({condition}) }}", message, path)
    for component in _VALUE_COMPONENTS:
        for condition in _value_violations(shapes, shape, component, "?value"):
            yield ResultQuery(f"SELECT ?focus WHERE {{ {target} ?focus {path} ?value FILTER({condition}) }}",
                              message, path)


def _path(shapes: _Shapes, shape) -> ox.NamedNode:
    path = shapes.value(shape, SH + "path")
    if not isinstance(path, ox.NamedNode):
        raise Unsupported("only property shapes whose sh:path is one IRI are compiled")
    return path


def _message(shapes: _Shapes, shape) -> str:
    message = shapes.value(shape, SH + "message")
    if message is None:
        # pyshacl writes its own wording then; rather than imitate it, leave such shapes to pyshacl.
        raise Unsupported("a shape without sh:message")
    return message.value


def _violates(shapes: _Shapes, shape, node: str) -> str:
    """A SPARQL condition true when ``node`` does not conform to ``shape`` (any of its constraints)."""
    shapes.check_known(shape)
    conditions = []
    if shapes.value(shape, SH + "path") is not None:
        path = _path(shapes, shape)
        conditions += _count_violations(shapes, shape, path, node)
        for component in _VALUE_COMPONENTS:
            value = shapes.variable()
            for condition in _value_violations(shapes, shape, component, value):
                conditions.append(f"EXISTS {{ {node} {path} {value} FILTER({condition}) }}")
    else:
        for component in _VALUE_COMPONENTS:
            conditions += _value_violations(shapes, shape, component, node)
        for property_shape in shapes.objects(shape, SH + "property"):
            conditions.append(_violates(shapes, property_shape, node))
    return "(" + " || ".join(conditions) + ")" if conditions else "false"


def _count_violations(shapes: _Shapes, shape, path: ox.NamedNode, node: str) -> list[str]:
    conditions = []
    minimum, maximum = shapes.value(shape, SH + "minCount"), shapes.value(shape, SH + "maxCount")
    if minimum is not None:
        conditions.append(f"NOT EXISTS {{ {_distinct_values(shapes, node, path, int(minimum.value))} }}")
    if maximum is not None:
        conditions.append(f"EXISTS {{ {_distinct_values(shapes, node, path, int(maximum.value) + 1)} }}")
    return conditions


def _distinct_values(shapes: _Shapes, node: str, path: ox.NamedNode, how_many: int) -> str:
    """A pattern matching when ``node`` has at least ``how_many`` distinct values for ``path``."""
    if how_many > 5:
        raise Unsupported("counts above 5 are not compiled")
    values = [shapes.variable() for _ in range(how_many)]
    distinct = [f"{a} != {b}" for i, a in enumerate(values) for b in values[i + 1:]]
    filters = f" FILTER({' && '.join(distinct)})" if distinct else ""
    return " ".join(f"{node} {path} {v} ." for v in values) + filters


def _value_violations(shapes: _Shapes, shape, component: str, value: str) -> list[str]:
    """Conditions true when ``value`` breaks ``component`` of ``shape`` (one per component occurrence)."""
    argument = shapes.value(shape, SH + component)
    if argument is None:
        return []
    if component == "datatype":
        if argument.value not in _CHECKABLE_DATATYPES:
            raise Unsupported(f"sh:datatype {argument.value}")
        # Well-formed too: an ill-typed literal ("1 January 2025"^^xsd:date) fails the cast.
        return [f"!(isLiteral({value}) && DATATYPE({value}) = {argument} "
                f"&& COALESCE({argument}(STR({value})) = {value}, false))"]
    if component == "class":
        return [f"NOT EXISTS {{ {value} a/<{RDFS}subClassOf>* {argument} }}"]
    if component == "pattern":
        if shapes.value(shape, SH + "flags") is not None:
            raise Unsupported("sh:flags")
        return [f"(isBlank({value}) || !REGEX(STR({value}), {_string(argument.value)}))"]
    if component == "minLength":
        return [f"(isBlank({value}) || STRLEN(STR({value})) < {int(argument.value)})"]
    if component == "minInclusive":
        return [f"!COALESCE({value} >= {argument}, false)"]
    if component == "node":
        return [_violates(shapes, argument, value)]
    members = [_violates(shapes, member, value) for member in shapes.items(argument)]
    if component == "or":
        return ["(" + " && ".join(members) + ")"]
    if component == "and":
        return ["(" + " || ".join(members) + ")"]
    # xone: exactly one member conforms.
    conforming = " + ".join(f"IF({m}, 0, 1)" for m in members)
    return [f"({conforming}) != 1"]


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run(queries: list[ResultQuery], store: ox.Store) -> list[tuple[ox.NamedNode | ox.BlankNode, str, ox.NamedNode | None]]:
    """Every validation result: (focus node, message, path), over the union of the store's graphs."""
    results = []
    for query in queries:
        for row in store.query(query.sparql, use_default_graph_as_union=True):
            results.append((row["focus"], query.message, query.path))
    return results
