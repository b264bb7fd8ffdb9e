"""HTML fact sheets: a static site whose pages are filled by SPARQL section queries.

Pages grow by adding files, not code (as in Scholia):

- ``queries/sections/PAGE--entities.rq`` (header ``# page: PAGE``, ``# section: entities``,
  optional ``# folder: NAME``) lists the entities of a page type as ``?entity ?label``;
- ``queries/sections/PAGE--SECTION.rq`` (``# page: PAGE``, ``# section: SECTION``) has one
  parameter, ``entity``, bound to the page's entity as an RDF term;
- ``templates/PAGE.html`` places the sections (``templates/entity.html`` shows them all
  in file order when a page type has no template of its own).

A section that projects ``?document`` and ``?quote`` lists facts: rows that show the
same fact are merged into one, which cites every quoted sentence stating it on the
document pages. A fact section also projects ``?inferred``: true when the fact's
linking triples exist only in the inferred graph; pages carry it as
``data-provenance`` on the row. A section named ``timeline`` is also drawn as
an SVG timeline, one named ``diagram`` (``?counterpart ?tie ?count``) as a
relationship diagram.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import multiprocessing
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pyoxigraph as ox

from .api import KnowledgeGraph
from .canned import CannedQuery, parse_canned
from .errors import InputError
from .namespaces import PREFIXES, RDFS, shorten
from .query import QueryResult, Term, python_value

TEMPLATES = Path(__file__).parent / "templates"
_SECTION_HEADER = re.compile(r"^#\s*(page|section|folder):\s*(\S+)\s*$", re.MULTILINE)
_DESCRIBE = "SELECT ?entity ?p ?o ?g WHERE { GRAPH ?g { ?entity ?p ?o } }"
_LABELS = f"SELECT ?s (MIN(STR(?label)) AS ?name) WHERE {{ ?s <{RDFS}label> ?label }} GROUP BY ?s"
# Starting a worker process costs about as much as rendering this many pages.
PAGES_PER_WORKER = 100
_YEAR = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
FACT_COLUMNS = {"document", "quote"}
HIDDEN_COLUMNS = {"entity", "inferred", *FACT_COLUMNS}


@dataclass(frozen=True)
class Section:
    page: str
    name: str
    query: CannedQuery
    folder: str


@dataclass(frozen=True)
class Page:
    kind: str
    entity: ox.NamedNode
    title: str
    path: str  # relative to the site root, e.g. "state/armenia.html"


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None


@dataclass(frozen=True)
class Reference:
    number: int
    href: str
    document: str
    quote: str


@dataclass(frozen=True)
class Row:
    """One line of a table; in a fact table, one fact with every source that states it."""

    cells: list[Cell]
    sources: list[tuple[str, str]] = field(default_factory=list)  # (document IRI, quote)
    inferred: bool | None = None  # None where the section does not say


@dataclass
class Table:
    """A section's answer ready for a template: visible columns and rows."""

    name: str
    title: str
    description: str
    columns: list[str]
    rows: list[Row]
    records: list[dict[str, object]]
    is_facts: bool


class Citations:
    """A page's numbered sources, numbered in the order its template shows the fact rows."""

    def __init__(self, site: "_Site", page: Page, root: str):
        self.site, self.page, self.root = site, page, root
        self.references: dict[tuple[str, str], Reference] = {}

    def __call__(self, sources: list[tuple[str, str]]) -> list[Reference]:
        cited = []
        for source in sources:
            if source[0] not in self.site.page_of:
                continue
            if source not in self.references:
                document = self.site.page_of[source[0]]
                self.references[source] = Reference(
                    len(self.references) + 1, f"{self.root}{document.path}#{quote_anchor(source[1])}",
                    document.title, source[1])
            cited.append(self.references[source])
        return cited


# Where pages cite quoted sentences: (document, quote) -> citing page path -> (its title, reference number).
CitedOn = dict[tuple[str, str], dict[str, tuple[str, int]]]


@dataclass
class SiteReport:
    out: Path
    pages: dict[str, int] = field(default_factory=dict)
    page_paths: dict[str, str] = field(default_factory=dict)  # entity IRI -> its page, relative to out


def load_sections(folder: Path) -> list[Section]:
    """Every section query in ``folder``, in file order."""
    sections = []
    for path in sorted(folder.glob("*.rq")):
        headers = dict(_SECTION_HEADER.findall(path.read_text(encoding="utf-8")))
        if "page" not in headers or "section" not in headers:
            raise InputError(f"{path}: a section query needs `# page:` and `# section:` header lines")
        folder_name = headers.get("folder", headers["page"])
        sections.append(Section(headers["page"], headers["section"], parse_canned(path), folder_name))
    return sections


def render_site(graph: KnowledgeGraph, out: Path, jobs: int | None = None) -> SiteReport:
    """Write the site into ``out``: rendered beside it, then swapped in by rename.

    ``jobs`` worker processes render pages side by side (default: one per CPU, fewer
    for a small site, where starting a worker costs more than it saves).
    """
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        report = _Site(graph, staging).render(jobs)
        report.out = out
        if out.exists():
            # Two renames: readers see the old site or the new one, never a half-written one.
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            out.rename(retired / out.name)
            staging.rename(out)
            shutil.rmtree(retired)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def humanise(variable: str) -> str:
    """A column heading from a variable name: otherNames -> other names."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", variable).lower()


def quote_anchor(quote: str) -> str:
    """A stable id for a quoted sentence on its document page."""
    return "q-" + hashlib.sha256(quote.encode("utf-8")).hexdigest()[:12]


class _Site:
    def __init__(self, graph: KnowledgeGraph, out: Path,
                 labels: dict[str, str] | None = None, pages: dict[str, list[Page]] | None = None):
        self.graph = graph
        self.out = out
        self.sections = load_sections(graph.project.queries_dir / "sections")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True,
        )
        self.env.filters["humanise"] = humanise
        self.labels = labels if labels is not None else {row[0].value: row[1].value for row in graph.query(_LABELS).rows}
        self.pages = pages if pages is not None else self._pages()
        # The first page type listing an entity is where links to it go.
        self.page_of: dict[str, Page] = {}
        for entries in self.pages.values():
            for page in entries:
                self.page_of.setdefault(page.entity.value, page)

    def _pages(self) -> dict[str, list[Page]]:
        pages: dict[str, list[Page]] = {}
        used: set[str] = set()
        for section in self.sections:
            if section.name != "entities":
                continue
            entries = []
            for entity, label in self.graph.query(section.query.text).rows:
                slug = re.sub(r"[^A-Za-z0-9_.-]", "_", entity.value.rstrip("/").rsplit("/", 1)[-1])
                path = f"{section.folder}/{slug}.html"
                if path in used:  # two IRIs with the same last segment
                    path = f"{section.folder}/{slug}-{hashlib.sha256(entity.value.encode()).hexdigest()[:8]}.html"
                used.add(path)
                entries.append(Page(section.page, entity, label.value, path))
            pages[section.page] = entries
        return pages

    def render(self, jobs: int | None) -> SiteReport:
        report = SiteReport(self.out, {kind: len(entries) for kind, entries in self.pages.items()})
        report.page_paths = {iri: page.path for iri, page in self.page_of.items()}
        citing = [page for kind, entries in self.pages.items() if kind != "document" for page in entries]
        documents = self.pages.get("document", [])
        cited_on: CitedOn = defaultdict(dict)
        with self._renderer(len(citing) + len(documents), jobs) as render:
            for page, references in zip(citing, render(citing, [{}] * len(citing))):
                for source, number in references:
                    cited_on[source][page.path] = (page.title, number)
            # Document pages come last: each links back to the pages citing it.
            list(render(documents, [{s: c for s, c in cited_on.items() if s[0] == d.entity.value} for d in documents]))
        self._write("index.html", self.env.get_template("index.html").render(
            root="", groups=self._groups(), title="diplokg fact sheets"))
        self._write("questions.html", self.env.get_template("questions.html").render(
            root="", answers=self._questions(), title="Questions and answers"))
        for asset in ("style.css", "search.js"):
            shutil.copy(TEMPLATES / asset, self.out / asset)
        return report

    def _groups(self) -> list[tuple[str, list[Page]]]:
        titles = {s.page: s.query.title for s in self.sections if s.name == "entities"}
        return [(titles[kind], entries) for kind, entries in self.pages.items()]

    def _questions(self) -> list[tuple[CannedQuery, dict[str, Term], Table]]:
        answers = []
        for query in self.graph.catalog:
            answer = self.graph.ask(query.name)
            answers.append((query, answer.bindings, self._table(query, answer.result, "")))
        return answers

    @contextlib.contextmanager
    def _renderer(self, pages: int, jobs: int | None) -> Iterator[Callable[[list[Page], list[CitedOn]], Iterable]]:
        """A map of pages to their citations, in this process or in a pool of workers."""
        workers = jobs or min(os.cpu_count() or 1, math.ceil(pages / PAGES_PER_WORKER))
        if workers <= 1:
            yield lambda pages, cited_on: map(self.entity_page, pages, cited_on)
            return
        # "spawn": the parent holds an open store, which must not be copied by fork.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                                 initargs=(self.graph, self.out, self.labels, self.pages)) as pool:
            yield lambda pages, cited_on: pool.map(_render_in_worker, pages, cited_on,
                                                   chunksize=max(1, len(pages) // (workers * 8)))

    def entity_page(self, page: Page, cited_on: CitedOn) -> list[tuple[tuple[str, str], int]]:
        """Write one entity's page; return the (document, quote) sources it cites with their numbers."""
        root = "../"
        tables = {}
        for section in self.sections:
            if section.page == page.kind and section.name != "entities":
                result = self.graph.run(section.query, {"entity": page.entity})
                tables[section.name] = self._table(section.query, result, root, entity_page=True)
        citations = Citations(self, page, root)
        context = {
            "root": root, "page": page, "title": page.title, "sections": tables, "cite": citations,
            "jsonld": self._describe(page),
            "turtle": Path(page.path).with_suffix(".ttl").name,
            "timeline_chart": self._timeline(tables["timeline"], root) if "timeline" in tables else None,
            "diagram_chart": self._diagram(page, tables["diagram"], root) if "diagram" in tables else None,
        }
        if page.kind == "document":
            context.update(self._document_text(page, tables["metadata"], root, cited_on))
        template = self.env.get_or_select_template([f"{page.kind}.html", "entity.html"])
        self._write(page.path, template.render(**context))
        return [(source, reference.number) for source, reference in citations.references.items()]

    def _table(self, query: CannedQuery, result: QueryResult, root: str, entity_page: bool = False) -> Table:
        is_facts = entity_page and FACT_COLUMNS <= set(result.variables)
        hidden = HIDDEN_COLUMNS if entity_page else set()
        columns = [v for v in result.variables if v not in hidden]
        rows: dict[object, Row] = {}
        for number, solution in enumerate(result.rows):
            values = dict(zip(result.variables, solution))
            shown = tuple(values[name] for name in columns)
            inferred = values.get("inferred")
            # A fact stated by several sentences is one row citing them all.
            key = (shown, inferred) if is_facts else number
            if key not in rows:
                rows[key] = Row([self._cell(term, root) for term in shown],
                                inferred=None if inferred is None else bool(python_value(inferred)))
            if is_facts and values["document"] is not None and values["quote"] is not None:
                source = (values["document"].value, values["quote"].value)
                if source not in rows[key].sources:
                    rows[key].sources.append(source)
        return Table(query.name, query.title, query.description, columns, list(rows.values()), result.records(),
                     is_facts)

    def _cell(self, term: Term | None, root: str) -> Cell:
        if term is None:
            return Cell("")
        if isinstance(term, ox.NamedNode):
            target = self.page_of.get(term.value)
            text = self.labels.get(term.value) or shorten(term.value).strip("<>")
            return Cell(target.title if target else text, root + target.path if target else None)
        return Cell(term.value if isinstance(term, ox.Literal) else str(term))

    def _describe(self, page: Page) -> str:
        """The entity's own triples as JSON-LD, safe inside a <script> element.

        The JSON-LD keeps each triple in its named graph, so a reader of the page's data
        can tell a document's assertions from the reasoner's inferences; the Turtle file
        is the plain description.
        """
        rows = self.graph.query(_DESCRIBE, entity=page.entity).rows
        # Grouped by graph, so the JSON-LD has one object per graph.
        quads = sorted({ox.Quad(page.entity, p, o, g) for _, p, o, g in rows}, key=lambda q: (str(q.graph_name), str(q)))
        (self.out / page.path).parent.mkdir(parents=True, exist_ok=True)
        triples = sorted({quad.triple for quad in quads}, key=str)
        turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        (self.out / page.path).with_suffix(".ttl").write_bytes(turtle)
        jsonld = ox.serialize(quads, format=ox.RdfFormat.JSON_LD).decode("utf-8")
        # "<" only occurs inside JSON strings, where \u003c means the same; "</script>" can never appear.
        return json.dumps(json.loads(jsonld), ensure_ascii=False).replace("<", "\\u003c")

    def _timeline(self, table: Table, root: str) -> dict | None:
        """Dated events placed on a time axis; dates without a year (--02) stay in the table only."""
        events: dict[str, dict] = {}
        for record in table.records:
            match = _YEAR.match(str(record.get("date", "")))
            if match and record["event"] not in events:
                year, month, day = (int(g) if g else None for g in match.groups())
                when = year + ((month or 1) - 1) / 12 + ((day or 1) - 1) / 365
                target = self.page_of.get(record["event"])
                events[record["event"]] = {
                    "when": when, "date": record["date"], "href": root + target.path if target else None,
                    "label": self.labels.get(record["event"], record["event"]),
                }
        marks = sorted(events.values(), key=lambda e: e["when"])
        if not marks:
            return None
        first, last = math.floor(marks[0]["when"]), math.floor(marks[-1]["when"]) + 1
        width, left, right = 760, 20, 740
        span = max(last - first, 1)
        for number, mark in enumerate(marks):
            mark["x"] = round(left + (mark["when"] - first) / span * (right - left), 1)
            mark["y"] = 20 + number * 22
            mark["anchor"] = "end" if mark["x"] > width / 2 else "start"
            mark["tx"] = mark["x"] - 8 if mark["anchor"] == "end" else mark["x"] + 8
        step = max(1, math.ceil(span / 10))
        ticks = [{"x": round(left + (y - first) / span * (right - left), 1), "year": y}
                 for y in range(first, last + 1, step)]
        return {"marks": marks, "ticks": ticks, "height": 40 + len(marks) * 22, "width": width}

    def _diagram(self, page: Page, table: Table, root: str) -> dict:
        """Counterparts on a circle around the entity, one offset line per kind of tie."""
        ties: dict[str, list[dict]] = defaultdict(list)
        for record in table.records:
            ties[record["counterpart"]].append({"tie": record["tie"], "count": record["count"]})
        size, radius = 640, 240
        centre = size / 2
        kinds = ["membership", "meetings", "agreements", "conflicts"]
        nodes = []
        for index, (iri, node_ties) in enumerate(sorted(ties.items(), key=lambda t: self.labels.get(t[0], t[0]))):
            angle = 2 * math.pi * index / len(ties) - math.pi / 2
            x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
            # Parallel lines, shifted perpendicular to the spoke, so each kind of tie stays visible.
            nx, ny = -math.sin(angle), math.cos(angle)
            edges = []
            for tie in node_ties:
                shift = (kinds.index(tie["tie"]) - 1.5) * 4 if tie["tie"] in kinds else 0
                edges.append({**tie, "x1": round(centre + nx * shift, 1), "y1": round(centre + ny * shift, 1),
                              "x2": round(x + nx * shift, 1), "y2": round(y + ny * shift, 1)})
            target = self.page_of.get(iri)
            nodes.append({"x": round(x, 1), "y": round(y, 1), "label": self.labels.get(iri, iri),
                          "href": root + target.path if target else None, "edges": edges})
        return {"nodes": nodes, "size": size, "centre": centre, "kinds": kinds}

    def _document_text(self, page: Page, metadata: Table, root: str, cited_on: CitedOn) -> dict:
        """The document's text cut into plain runs and highlighted evidence sentences."""
        record = metadata.records[0] if metadata.records else {}
        source = self.graph.project.sources_dir / str(record.get("fileName", ""))
        text = source.read_text(encoding="utf-8") if source.is_file() else ""
        facts = self.graph.run(self.graph.canned("document-facts"), {"document": page.entity}).records()
        evidence: dict[str, dict] = {}
        for fact in facts:
            entry = evidence.setdefault(fact["quote"], {
                "quote": fact["quote"], "anchor": quote_anchor(fact["quote"]), "facts": [], "inline": False,
                "cited_on": [(title, f"{root}{path}#ref-{number}") for path, (title, number)
                             in sorted(cited_on.get((page.entity.value, fact["quote"]), {}).items())],
            })
            entry["facts"].append((self._cell(ox.NamedNode(fact["fact"]), root), fact["kind"]))
        # Quotes overlap (a sentence and a phrase of it), so the text is cut at every quote's
        # start and end: each run covered by a quote is highlighted, each quote's start anchored.
        spans = [(text.find(quote), text.find(quote) + len(quote), quote) for quote in evidence if quote in text]
        cuts = sorted({0, len(text), *(start for start, _, _ in spans), *(end for _, end, _ in spans)})
        runs = []
        for start, end in zip(cuts, cuts[1:]):
            runs.append({
                "text": text[start:end],
                "anchors": [evidence[q]["anchor"] for s, _, q in spans if s == start],
                "marked": any(s <= start and end <= e for s, e, _ in spans),
                "ends": [evidence[q]["anchor"] for _, e, q in spans if e == end],
            })
        for _, _, quote in spans:
            evidence[quote]["inline"] = True
        return {"runs": runs, "evidence": list(evidence.values())}

    def _write(self, path: str, html: str) -> None:
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")


_worker_site: _Site | None = None


def _start_worker(graph: KnowledgeGraph, out: Path, labels: dict[str, str], pages: dict[str, list[Page]]) -> None:
    global _worker_site
    _worker_site = _Site(graph, out, labels, pages)


def _render_in_worker(page: Page, cited_on: CitedOn) -> list[tuple[tuple[str, str], int]]:
    assert _worker_site is not None, "the pool's initializer sets up the site"
    return _worker_site.entity_page(page, cited_on)
