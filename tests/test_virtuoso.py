"""diplokg on an existing triple store: a real OpenLink Virtuoso, started by the test on loopback.

`diplokg push` uploads the graphs (Graph Store Protocol, HTTP Digest as Virtuoso
requires), then `--endpoint` must give every canned query, the fact sheets and
the export as from the embedded store. Two differences SPARQL itself allows are
normalised, and only those: the order of items inside a GROUP_CONCAT (and the
language tag Oxigraph keeps on it) and of rows that tie on ORDER BY (with the
citation numbers, and their order, that follow from it), and blank-node labels.
"""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import ROOT, assert_no_traceback, diplokg, free_port
from diplokg.canned import load_catalog

VIRTUOSO = shutil.which("virtuoso-t")
pytestmark = pytest.mark.skipif(
    VIRTUOSO is None and os.environ.get("CI") != "true",
    reason="OpenLink Virtuoso is not installed (Debian package virtuoso-opensource, binary virtuoso-t); "
           "CI installs it and runs these tests",
)
CATALOG = load_catalog(ROOT / "queries")
_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 200M
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


@pytest.fixture(scope="module")
def virtuoso() -> str:
    """A throwaway Virtuoso: fresh database in a temporary folder, non-default ports, stopped afterwards."""
    assert VIRTUOSO is not None, "CI=true but virtuoso-t is missing: .ci/run installs virtuoso-opensource"
    folder = Path(tempfile.mkdtemp(prefix="diplokg-virtuoso-"))
    http_port = free_port()
    (folder / "virtuoso.ini").write_text(_INI.format(dir=folder, sql_port=free_port(), http_port=http_port))
    process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                               cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (folder / "virtuoso.log").read_text(errors="replace")[-2000:]
            try:
                if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "Virtuoso did not start within 120 s"
            time.sleep(0.3)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pushed(virtuoso, built_store) -> str:
    """Virtuoso holding the store's graphs; yields its SPARQL endpoint."""
    run = diplokg("push", "--endpoint", virtuoso + "/sparql", "--graph-store", virtuoso + "/sparql-graph-crud-auth",
                  "--user", "dba", "--password", "dba", store=built_store)
    assert run.code == 0, run.output
    return virtuoso + "/sparql"


def remote(*args: str, endpoint: str, store: Path) -> str:
    run = diplokg("--endpoint", endpoint, *args, store=store)
    assert run.code in (0, 1), run.output
    return run.stdout


def local(*args: str, store: Path) -> str:
    run = diplokg(*args, store=store)
    assert run.code in (0, 1), run.output
    return run.stdout


def test_push_uploads_every_named_graph(pushed, built_store):
    import diplokg as api

    here = api.open(built_store, ROOT).stats().triples_per_graph
    there = api.open(built_store, ROOT, endpoint=pushed).stats().triples_per_graph
    assert there == here
    assert len(here) >= 5 and "https://w3id.org/diplokg/graph/inferred" in here


def test_push_again_replaces_and_removes_stale_graphs(pushed, virtuoso, built_store):
    stale = "https://w3id.org/diplokg/graph/document/withdrawn"
    put = httpx.put(virtuoso + "/sparql-graph-crud-auth", params={"graph": stale},
                    content=b"<https://w3id.org/diplokg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .",
                    headers={"Content-Type": "text/turtle"}, auth=httpx.DigestAuth("dba", "dba"), timeout=120)
    assert put.status_code in (200, 201, 204), put.text
    run = diplokg("push", "--endpoint", pushed, "--graph-store", virtuoso + "/sparql-graph-crud-auth",
                  "--user", "dba", "--password", "dba", store=built_store)
    assert run.code == 0, run.output
    assert "removed docgraph:withdrawn" in run.stderr
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), 'https://w3id.org/diplokg/')) }"
    total = json.loads(remote("query", "-e", count, "--format", "json", endpoint=pushed, store=built_store))
    expected = json.loads(local("query", "-e", count, "--format", "json", store=built_store))
    assert total["results"]["bindings"][0]["n"]["value"] == expected["results"]["bindings"][0]["n"]["value"]


def test_push_with_a_wrong_password_fails_clearly(virtuoso, built_store):
    run = diplokg("push", "--endpoint", virtuoso + "/sparql", "--graph-store", virtuoso + "/sparql-graph-crud-auth",
                  "--user", "dba", "--password", "wrong", store=built_store)
    assert run.code == 1
    assert "refused graph" in run.stderr and "401" in run.stderr and "--password" in run.stderr
    assert_no_traceback(run)


def test_virtuoso_system_graphs_stay_out_of_answers(pushed, built_store):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    raw = httpx.get(pushed, params={"query": count}, headers={"Accept": "application/sparql-results+json"},
                    timeout=120).json()
    through_diplokg = json.loads(remote("query", "-e", count, "--format", "json", endpoint=pushed, store=built_store))
    embedded = json.loads(local("query", "-e", count, "--format", "json", store=built_store))
    number = lambda answer: int(answer["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert number(through_diplokg) == number(embedded)
    assert number(raw) > number(embedded)  # Virtuoso's own graphs, which diplokg's dataset leaves out


def concatenated_columns(text: str) -> dict[str, str]:
    """Variables bound by GROUP_CONCAT, with their separators: SPARQL leaves the items' order open."""
    found = {}
    for match in re.finditer(r"GROUP_CONCAT\s*\((?P<args>[^()]*)\)\s*AS\s*\?(?P<name>\w+)", text, re.IGNORECASE):
        separator = re.search(r"separator\s*=\s*\"([^\"]*)\"", match["args"], re.IGNORECASE)
        found[match["name"]] = separator.group(1) if separator else " "
    return found


def comparable(answer: str, columns: dict[str, str]) -> list[tuple]:
    rows = []
    for binding in json.loads(answer)["results"]["bindings"]:
        row = {}
        for name, term in binding.items():
            value = term["value"]
            language = term.get("xml:lang")
            if name in columns:
                value = columns[name].join(sorted(value.split(columns[name])))
                # SPARQL 1.1 makes GROUP_CONCAT a simple literal; Oxigraph keeps a language all items share.
                language = None
            row[name] = (value, term.get("datatype"), language, term["type"].replace("typed-", ""))
        rows.append(tuple(sorted(row.items())))
    return rows


def test_every_canned_query_answers_the_same(pushed, built_store):
    def compare(query) -> tuple[str, bool, int]:
        here = local("ask", query.name, "--format", "json", store=built_store)
        there = remote("ask", query.name, "--format", "json", endpoint=pushed, store=built_store)
        columns = concatenated_columns(query.text)
        expected, answered = comparable(here, columns), comparable(there, columns)
        # The same rows; rows that tie on ORDER BY may come in either order, so as multisets.
        same = collections.Counter(answered) == collections.Counter(expected)
        return query.name, same, len(expected)

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(compare, CATALOG))
    assert [name for name, same, _ in outcomes if not same] == []
    assert sum(count for _, _, count in outcomes) > 100  # the answers are not all empty


def test_a_parameter_bound_on_the_remote_store(pushed, built_store):
    args = ("ask", "organisation-members", "-p", "organisation=CSTO", "--format", "json")
    assert json.loads(remote(*args, endpoint=pushed, store=built_store)) == json.loads(local(*args, store=built_store))


def normalised_page(text: str) -> collections.Counter:
    """A page as a multiset of lines, with what SPARQL leaves unspecified made canonical."""
    labels: dict[str, str] = {}
    text = re.sub(r"_:[A-Za-z0-9]+", lambda m: labels.setdefault(m.group(0), f"_:b{len(labels)}"), text)
    text = re.sub(r"(ref-|Source |\[)\d+", r"\1N", text)  # citation numbers follow the order of tied rows
    # ... and so does the order of the sources a fact cites side by side.
    text = re.sub(r"(?:<a [^>]*>\[N\]</a>)+",
                  lambda m: "".join(sorted(re.findall(r"<a [^>]*>\[N\]</a>", m.group(0)))), text)
    # Concatenated names ("Armenia, Türkiye") are text between tags: their items in a fixed order.
    pieces = re.split(r"(<[^>]*>)", text)
    text = "".join(piece if piece.startswith("<") else _sorted_items(piece) for piece in pieces)
    return collections.Counter(text.splitlines())


def _sorted_items(text: str) -> str:
    return "; ".join(sorted(", ".join(sorted(part.split(", "))) for part in text.split("; ")))


def test_sheets_from_the_remote_store_are_the_same_pages(pushed, built_store, tmp_path):
    assert diplokg("sheets", "-o", str(tmp_path / "here"), store=built_store).code == 0
    run = diplokg("--endpoint", pushed, "sheets", "-o", str(tmp_path / "there"), store=built_store)
    assert run.code == 0, run.output
    here = sorted(p.relative_to(tmp_path / "here") for p in (tmp_path / "here").rglob("*") if p.is_file())
    there = sorted(p.relative_to(tmp_path / "there") for p in (tmp_path / "there").rglob("*") if p.is_file())
    assert there == here and len(here) > 100
    different = {}
    for page in here:
        mine = normalised_page((tmp_path / "here" / page).read_text(encoding="utf-8"))
        theirs = normalised_page((tmp_path / "there" / page).read_text(encoding="utf-8"))
        if mine != theirs:
            different[str(page)] = (list((mine - theirs).elements())[:2], list((theirs - mine).elements())[:2])
    assert different == {}


def test_export_from_the_remote_store(pushed, built_store):
    here = graphs_of(local("export", "--format", "nq", store=built_store))
    there = graphs_of(remote("export", "--format", "nq", endpoint=pushed, store=built_store))
    assert there.keys() == here.keys() and len(here) >= 5
    # Per graph: the Graph Store Protocol scopes blank nodes to one upload, so a blank node that
    # several graphs share locally is one node per graph on the server (see the README).
    for name, quads in here.items():
        assert canonical(there[name]) == canonical(quads), name


def graphs_of(nquads: str) -> dict[str, list[ox.Quad]]:
    graphs: dict[str, list[ox.Quad]] = collections.defaultdict(list)
    for quad in ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS):
        graphs[quad.graph_name.value].append(quad)
    return dict(graphs)


def canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    """The quads after RDF Dataset Canonicalization, so blank-node labels do not matter."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)
