"""Load test of `diplokg serve`: concurrent clients, mixed requests, a store swap mid-run.

    python scripts/loadtest.py [--requests 20000] [--clients 16] [--json FILE]

Builds the project into a scratch store and serves it on 127.0.0.1. It records the
answer to each kind of request from that graph, then replays a mix of canned
queries, ad-hoc SELECTs, fact sheets and content-negotiated RDF with N clients
while a rebuild from a changed copy of the project swaps the store. Every answer
must equal the old graph's or the new graph's (checked byte for byte), and none
may fail. Prints latency percentiles and throughput. Loopback only; it stops by
itself. `tests/test_load.py` runs it at 5,000 requests and 8 clients.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARMENIA = "https://w3id.org/diplokg/id/armenia"
PROBE = '"Hayastan (load test)"@en'


@dataclass(frozen=True)
class Request:
    kind: str
    path: str
    accept: str


def request_mix() -> list[Request]:
    """The kinds of request a real audience sends, in the proportions they are replayed."""
    def sparql(text: str) -> str:
        return "/sparql?" + urllib.parse.urlencode({"query": text})

    return [
        Request("canned query", "/api/queries/alliances-left.json", "application/sparql-results+json"),
        Request("canned query", "/api/queries/state-timeline.csv?state=Armenia", "text/csv"),
        Request("canned query", "/api/queries/entities-named.json?name=Hayastan", "application/sparql-results+json"),
        Request("ad-hoc SELECT", sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), "application/sparql-results+json"),
        Request("ad-hoc SELECT", sparql(f"SELECT ?p ?o WHERE {{ <{ARMENIA}> ?p ?o }} ORDER BY ?p ?o"), "text/csv"),
        Request("entity page", "/id/armenia", "text/html"),
        Request("entity page", "/id/csto", "text/html"),
        Request("content-negotiated RDF", "/id/armenia", "text/turtle"),
        Request("content-negotiated RDF", "/id/csto", "application/ld+json"),
        Request("content-negotiated RDF", "/id/azerbaijan", "application/n-triples"),
    ]


@dataclass
class LoadReport:
    requests: int
    clients: int
    seconds: float
    latencies: list[float]
    failures: list[str] = field(default_factory=list)  # non-200 answers and connection errors
    mismatches: list[str] = field(default_factory=list)  # answers equal to neither graph's
    answered_by: Counter = field(default_factory=Counter)  # "old" / "new" / "both"
    swap_seconds: float | None = None  # when, into the run, the new store was published

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def summary(self) -> dict:
        return {
            "requests": self.requests, "clients": self.clients, "seconds": round(self.seconds, 2),
            "throughput_per_second": round(self.requests / self.seconds, 1),
            "p50_ms": round(self.percentile(0.50) * 1000, 1), "p95_ms": round(self.percentile(0.95) * 1000, 1),
            "p99_ms": round(self.percentile(0.99) * 1000, 1), "mean_ms": round(statistics.mean(self.latencies) * 1000, 1),
            "failures": len(self.failures), "mismatches": len(self.mismatches),
            "answered_by": dict(self.answered_by), "store_swapped_after_seconds": self.swap_seconds,
        }


def fetch(connection: http.client.HTTPConnection, request: Request) -> tuple[int, bytes]:
    """GET the request's path, following a redirect (an entity IRI sends browsers to its fact sheet)."""
    path = request.path
    for _ in range(3):
        connection.request("GET", path, headers={"Accept": request.accept})
        response = connection.getresponse()
        body = response.read()
        if response.status not in (301, 302, 303, 307, 308):
            return response.status, body
        path = urllib.parse.urljoin(path, response.getheader("Location", path))
    return response.status, body


def answers(url: str, mix: list[Request]) -> list[bytes]:
    """Each request's answer now, asked once, in order."""
    connection = _connect(url)
    found = []
    for request in mix:
        status, body = fetch(connection, request)
        if status != 200:
            raise RuntimeError(f"{request.path} ({request.accept}) answered {status}: {body[:200]!r}")
        found.append(body)
    connection.close()
    return found


def run_load(url: str, total: int, clients: int, swap: Callable[[], None], swap_after: float = 0.2) -> LoadReport:
    """Send ``total`` requests from ``clients`` threads; call ``swap`` once ``swap_after`` of them are done."""
    mix = request_mix()
    old = answers(url, mix)
    lock = threading.Lock()
    next_index = iter(range(total))
    latencies: list[float] = []
    results: list[tuple[int, int, bytes | None, str | None]] = []  # (request, status, body, error)
    swapped = threading.Event()
    started = time.perf_counter()
    swap_seconds: list[float] = []

    def swapper() -> None:
        swap()
        swap_seconds.append(time.perf_counter() - started)
        swapped.set()

    swap_thread = threading.Thread(target=swapper)

    def client() -> None:
        connection = _connect(url)
        while True:
            with lock:
                index = next(next_index, None)
                if index is not None and index == int(total * swap_after):
                    swap_thread.start()
            if index is None:
                break
            request = mix[index % len(mix)]
            began = time.perf_counter()
            try:
                status, body = fetch(connection, request)
                error = None
            except (OSError, http.client.HTTPException) as failure:
                status, body, error = 0, None, repr(failure)
                connection.close()
                connection = _connect(url)
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                results.append((index % len(mix), status, body, error))
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    swapped.wait()
    new = answers(url, mix)

    report = LoadReport(total, clients, seconds, latencies, swap_seconds=round(swap_seconds[0], 2))
    for request_index, status, body, error in results:
        request = mix[request_index]
        label = f"{request.kind}: {request.path} ({request.accept})"
        if status != 200:
            report.failures.append(f"{label}: {error or status}")
        elif body == old[request_index] == new[request_index]:
            report.answered_by["either (unchanged)"] += 1
        elif body == old[request_index]:
            report.answered_by["old"] += 1
        elif body == new[request_index]:
            report.answered_by["new"] += 1
        else:
            report.mismatches.append(f"{label}: {len(body)} bytes equal to neither graph's answer")
    return report


def change_for_rebuild(project: Path) -> None:
    """A visible change: Armenia gains an alternative name, so its pages and counts differ."""
    reference = project / "data" / "reference" / "states.ttl"
    with reference.open("a", encoding="utf-8") as turtle:
        turtle.write(f"\n<{ARMENIA}> <http://www.w3.org/2004/02/skos/core#altLabel> {PROBE} .\n")


def diplokg(*args: str, store: Path, project: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOKG_")}
    env.update(DIPLOKG_STORE=str(store), DIPLOKG_PROJECT=str(project))
    return subprocess.run([sys.executable, "-m", "diplokg", *args], env=env, capture_output=True, text=True)


def rebuilder(store: Path, project: Path) -> Callable[[], None]:
    def rebuild() -> None:
        done = diplokg("build", store=store, project=project)
        if done.returncode != 0:
            raise RuntimeError(f"the rebuild failed: {done.stderr}")
    return rebuild


@contextmanager
def serving(store: Path, project: Path) -> Iterator[str]:
    """`diplokg serve` on a free loopback port until the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOKG_")}
    env.update(DIPLOKG_STORE=str(store), DIPLOKG_PROJECT=str(project))
    server = subprocess.Popen([sys.executable, "-m", "diplokg", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/api/queries", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(15)


def _connect(url: str) -> http.client.HTTPConnection:
    parsed = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project, store = Path(scratch) / "project", Path(scratch) / "store"
        for folder in ("ontology", "data", "queries"):
            shutil.copytree(ROOT / folder, project / folder)
        built = diplokg("build", store=store, project=project)
        if built.returncode != 0:
            print(built.stderr, file=sys.stderr)
            return 1
        change_for_rebuild(project)
        with serving(store, project) as url:
            report = run_load(url, options.requests, options.clients, rebuilder(store, project))
    figures = report.summary()
    print(json.dumps(figures, indent=2))
    for problem in (report.failures + report.mismatches)[:20]:
        print("  " + problem, file=sys.stderr)
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if not report.failures and not report.mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
