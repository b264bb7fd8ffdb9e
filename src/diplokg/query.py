"""Stage 5, query: read-only SPARQL over a store, results in W3C formats."""

from __future__ import annotations

import json
import re
from functools import cached_property, lru_cache
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

from .errors import InputError
from .namespaces import PREFIXES, XSD

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


class UpdateRefused(InputError):
    """A SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) where only queries may run."""


@dataclass(frozen=True)
class Dataset:
    """An explicit RDF dataset (SPARQL Protocol default-graph-uri / named-graph-uri); wins over FROM."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass
class QueryResult:
    """A query's complete answer: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    kind: Literal["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    def is_empty(self) -> bool:
        if self.kind == "ask":
            return not self.boolean
        return not (self.rows or self.triples)

    def records(self) -> list[dict[str, object]]:
        """Rows as plain dicts of Python values: IRIs as str, numbers and booleans native."""
        return [
            {name: python_value(term) for name, term in zip(self.variables, row) if term is not None}
            for row in self.rows
        ]

    def serialize(self, fmt: str) -> bytes:
        """The answer in a W3C format: json, xml, csv, tsv for solutions; ttl, nt, jsonld, xml for graphs."""
        if self.kind == "graph":
            if fmt not in GRAPH_FORMATS:
                raise InputError(f"format {fmt!r} is not available for graph results; use one of {', '.join(GRAPH_FORMATS)}")
            return ox.serialize(self.triples, format=GRAPH_FORMATS[fmt], prefixes=PREFIXES)
        if fmt not in SOLUTION_FORMATS:
            raise InputError(f"format {fmt!r} is not available for {self.kind.upper()} results; use one of {', '.join(SOLUTION_FORMATS)}")
        if fmt == "json":
            return self.json
        parsed = ox.parse_query_results(self.json, format=ox.QueryResultsFormat.JSON)
        return parsed.serialize(format=SOLUTION_FORMATS[fmt])

    @cached_property
    def json(self) -> bytes:
        """The answer in SPARQL 1.1 Query Results JSON (other solution formats convert from it).

        Written from the rows, only when asked for: the engine's own JSON, parsed back
        into rows for every query, cost 10% of a 400-row entity query.
        """
        if self.kind == "ask":
            document: dict[str, object] = {"head": {}, "boolean": self.boolean}
        else:
            bindings = [{name: _json_term(term) for name, term in zip(self.variables, row) if term is not None}
                        for row in self.rows]
            document = {"head": {"vars": self.variables}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def execute(store: ox.Store, text: str, substitutions: dict[str, Term] | None = None,
            dataset: Dataset | None = None) -> QueryResult:
    """Run a SPARQL query over the union of all graphs; GRAPH still reaches each named graph.

    ``substitutions`` binds variables to RDF terms before evaluation, so values
    never become query text. ``dataset`` replaces both the union and any FROM
    clause, as the SPARQL Protocol asks. Updates are refused.
    """
    bound = {ox.Variable(name): term for name, term in (substitutions or {}).items()}
    chosen: dict[str, object] = {"use_default_graph_as_union": not declares_dataset(text)}
    if dataset is not None:
        chosen = {"default_graph": [ox.NamedNode(g) for g in dataset.default_graphs],
                  "named_graphs": [ox.NamedNode(g) for g in dataset.named_graphs]}
    try:
        raw = store.query(text, substitutions=bound or None, **chosen)
    except SyntaxError as error:
        if is_update(text):
            raise UpdateRefused("this is a SPARQL Update; diplokg only runs read-only queries") from None
        raise InputError(f"SPARQL syntax error: {error}") from None
    except (RuntimeError, OSError) as error:
        raise InputError(f"the query cannot run: {error}") from None
    return result_of(raw)


def result_of(raw: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> QueryResult:
    """A complete QueryResult from a pyoxigraph answer, local or parsed from a remote endpoint."""
    if isinstance(raw, ox.QuerySolutions):
        variables = [v.value for v in raw.variables]
        rows = [tuple(solution) for solution in raw]  # values in the order of raw.variables
        return QueryResult("select", variables, rows)
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(raw))
    return QueryResult("graph", triples=list(raw))


def _json_term(term: Term) -> dict[str, object]:
    """One RDF term as SPARQL 1.1 Query Results JSON writes it (RDF 1.2 triple terms and directions included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject), "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    written: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        written["xml:lang"] = term.language
        if term.direction is not None:
            written["its:dir"] = str(term.direction)
    elif term.datatype.value != XSD + "string":
        written["datatype"] = term.datatype.value
    return written


_NUMERIC = {XSD + "integer": int, XSD + "decimal": float, XSD + "double": float, XSD + "float": float}


def python_value(term: Term) -> object:
    """A plain Python value for a term: IRIs and most literals as str, numbers as numbers."""
    if isinstance(term, ox.Literal):
        if term.datatype.value in _NUMERIC:
            return _NUMERIC[term.datatype.value](term.value)
        if term.datatype.value == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value if isinstance(term, ox.NamedNode) else str(term)


@lru_cache(maxsize=1024)  # fact sheets run the same section text once per page
def declares_dataset(text: str) -> bool:
    """Whether the query names its own dataset with FROM / FROM NAMED, which then wins over the union."""
    if not re.search(r"\bFROM\b", text, re.IGNORECASE):
        return False
    from rdflib.plugins.sparql.parser import parseQuery  # rare path; slow to import at every start-up

    try:
        _, parsed = parseQuery(text)
    except Exception:  # let the engine report the syntax error
        return False
    return "datasetClause" in parsed.keys()


def is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate  # only after a syntax error

    try:
        parseUpdate(text)
    except Exception:  # any parse failure means: not an update either
        return False
    return True
