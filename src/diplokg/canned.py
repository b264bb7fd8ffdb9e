"""Canned queries: plain .rq files whose header comments declare their metadata.

    # title: Alliances a state left
    # description: ...
    # param: state dip:State default=dkg:armenia - the state
    # question: Which alliances did {state} leave?
    SELECT ?state ... WHERE {
      VALUES ?state { dkg:armenia }
      ...
    }

The VALUES block that opens the WHERE clause holds the defaults, so the file
runs as-is in any SPARQL tool. diplokg runs the query without that block and
binds every parameter (given or defaulted) as an RDF term; entities resolved to
IRIs of the graph also open the WHERE clause again as one VALUES row, which is
how the store plans its joins (see ``CannedQuery.text_for``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import InvalidInput, Problem
from .query import Term

_HEADER = re.compile(r"^#\s*(title|description|param|question):\s*(.*?)\s*$")
_CONTINUATION = re.compile(r"^#\s{2,}(\S.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\S+)\s+default=(?P<default>\S+)\s+-\s+(?P<doc>.+)$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")
# The defaults: a VALUES block that opens the WHERE clause.
_OUTER_WHERE = re.compile(r"(\bWHERE\s*\{)", re.IGNORECASE)
_DEFAULTS = re.compile(r"(\bWHERE\s*\{)\s*VALUES\s*(?:\?\w+|\((?:\s*\?\w+)+\s*\))\s*\{[^{}]*\}", re.IGNORECASE)


@dataclass(frozen=True)
class Parameter:
    """A named input of a canned query."""

    name: str
    type: str  # a class (an entity of that class) or an xsd: datatype (a literal)
    default: str
    doc: str

    @property
    def is_literal(self) -> bool:
        return self.type.startswith("xsd:")


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    questions: tuple[str, ...]
    text: str

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def describe(self) -> dict:
        """The query's metadata as plain JSON-ready data (the CLI's and the HTTP API's catalog)."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "parameters": [
                {"name": p.name, "type": p.type, "default": p.default, "description": p.doc} for p in self.parameters
            ],
            "questions": list(self.questions),
            "file": self.path.name,
        }

    @property
    def body(self) -> str:
        """The query without its defaults clause, for running with bound parameters."""
        if not self.parameters:
            return self.text
        return _DEFAULTS.sub(r"\1", _strip_comments(self.text), count=1)

    def text_for(self, bindings: Mapping[str, Term]) -> str:
        """The text to run with ``bindings``: the body, its WHERE opened by a VALUES row of its entities.

        oxigraph plans joins from a VALUES block but not from substituted variables:
        at 10^6 triples a state's memberships take 45 ms by substitution alone and 5 ms
        so, a document's facts 900 ms and 1 ms. Only entity parameters bound to IRIs go
        into the row: an ``ox.NamedNode`` is a validated IRI (no space, quote, brace or
        angle bracket can be in it), pyoxigraph writes it, and the resolver returns only
        IRIs the graph describes. Literals (names, dates: free text) stay substitutions
        only. Every binding is also substituted, so subqueries see it (SEP-0007).
        """
        entities = [(p.name, bindings[p.name]) for p in self.parameters
                    if not p.is_literal and isinstance(bindings.get(p.name), ox.NamedNode)]
        if not entities:
            return self.body
        names = " ".join(f"?{name}" for name, _ in entities)
        row = " ".join(str(iri) for _, iri in entities)
        return _OUTER_WHERE.sub(lambda m: f"{m.group(1)} VALUES ({names}) {{ ({row}) }}", self.body, count=1)


def load_catalog(folder: Path) -> list[CannedQuery]:
    """Every canned query in ``folder``, sorted by name; all header errors reported at once."""
    queries, problems = [], []
    for path in sorted(folder.glob("*.rq")):
        try:
            queries.append(parse_canned(path))
        except InvalidInput as error:
            problems.extend(error.problems)
    if problems:
        raise InvalidInput(problems)
    return queries


def parse_canned(path: Path) -> CannedQuery:
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": [], "question": []}
    params: list[Parameter] = []
    problems: list[Problem] = []
    last_key = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        header = _HEADER.match(line)
        continuation = _CONTINUATION.match(line)
        if header:
            last_key, value = header.groups()
            fields[last_key].append(value)
            if last_key == "param":
                param = _PARAM.match(value)
                if param:
                    params.append(Parameter(**param.groupdict()))
                else:
                    problems.append(Problem(path, "a param line reads `# param: NAME TYPE default=VALUE - text`", number))
        elif continuation and last_key in ("description", "question") and fields[last_key]:
            fields[last_key][-1] += " " + continuation.group(1)
    if not fields["title"]:
        problems.append(Problem(path, "the header needs a `# title:` line", 1))
    names = {p.name for p in params}
    for question in fields["question"]:
        unknown = set(_PLACEHOLDER.findall(question)) - names
        if unknown:
            problems.append(Problem(path, f"question {question!r} uses undeclared parameter(s) {sorted(unknown)}"))
    if params and not _DEFAULTS.search(_strip_comments(text)):
        problems.append(Problem(path, "a query with parameters must open its WHERE clause with a VALUES block of their defaults"))
    if problems:
        raise InvalidInput(problems)
    return CannedQuery(
        name=path.stem,
        path=path,
        title=fields["title"][0],
        description=" ".join(fields["description"]),
        parameters=tuple(params),
        questions=tuple(fields["question"]),
        text=text,
    )


def question_pattern(question: str) -> re.Pattern[str]:
    """A regular expression matching a question form, one named group per placeholder."""
    parts = _PLACEHOLDER.split(question.strip().rstrip("?").strip())
    pattern = "".join(
        rf"(?P<{part}>.+?)" if index % 2 else re.sub(r"(?:\\ )+", r"\\s+", re.escape(part))
        for index, part in enumerate(parts)
    )
    return re.compile(rf"^\s*{pattern}\s*\??\s*$", re.IGNORECASE)


def _strip_comments(text: str) -> str:
    # Whole-line comments only: a '#' inside an IRI or a string stays.
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
