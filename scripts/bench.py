"""Benchmark diplokg against a naive stack and a floor, at several corpus sizes, in one run.

    python scripts/bench.py [--sizes 10,100,1000] [--naive-max 100] [--sheets-max 1000]

For each size (in documents of scripts/generate_corpus.py, about 100 asserted
triples each) it generates a corpus and measures, each in a fresh process so
peak memory is the process's own:

- build: `diplokg build` wall time (Python start-up included), stage timings,
  peak RSS, store size on disk, triples asserted and inferred;
- floor: pyoxigraph bulk load of the build's final N-Quads (asserted and
  inferred) into an empty on-disk store, nothing else;
- naive: rdflib parse, owlrl closure and rdflib SPARQL for the same canned
  queries, up to --naive-max documents; beyond, estimated from its measured
  growth (a power law through the two largest measured sizes), and marked so;
- every canned query, p50/p95 over its representative parameter sets
  (bench-params.json of the generated corpus) times --repeats;
- fact sheets: pages written per second, up to --sheets-max documents.

Writes bench/results.json, bench/results.md and bench/results.svg (log–log).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "scripts"))

NAIVE_QUERY_BUDGET_SECONDS = 30  # a naive query slower than this is reported as such, not repeated
NAIVE_PARAMETER_SETS = 2  # the naive stack runs each query on the first two parameter sets only


# --- measurements, each run in a child process -------------------------------------------------


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


def child_build(project: str, store: str) -> dict:
    import diplokg

    graph = diplokg.build(store=store, project=project)
    report = graph.last_build
    return {"stages": report.timings, "asserted": report.asserted_triples, "graphs": len(report.triples_per_graph),
            "inferred": report.inferred.triples, "peak_rss_mb": _peak_rss_mb()}


def child_floor(nquads: str, store: str) -> dict:
    import pyoxigraph as ox

    started = time.perf_counter()
    target = ox.Store(store)
    target.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    target.flush()
    del target
    return {"seconds": round(time.perf_counter() - started, 3), "peak_rss_mb": _peak_rss_mb()}


def child_queries(project: str, store: str, repeats: str) -> dict:
    import diplokg

    graph = diplokg.open(store=store, project=project)
    parameter_sets = json.loads((Path(project) / "bench-params.json").read_text())
    results = {}
    for query in graph.catalog:
        sets = parameter_sets.get(query.name, [{}]) if query.parameters else [{}]
        bound = [graph.bind(query, values) for values in sets]
        graph.run(query, bound[0])  # warm the caches once
        latencies, rows = [], 0
        for _ in range(int(repeats)):
            for bindings in bound:
                started = time.perf_counter()
                rows += len(graph.run(query, bindings).rows)
                latencies.append(time.perf_counter() - started)
        results[query.name] = _latency_summary(latencies) | {
            "kind": _query_kind(query), "rows_per_run": round(rows / len(latencies), 1)}
    return {"queries": results, "peak_rss_mb": _peak_rss_mb()}


def child_naive(project: str, repeats: str) -> dict:
    """The stack a user writes first: rdflib parse, owlrl closure, rdflib SPARQL."""
    import warnings

    import owlrl
    import rdflib

    from diplokg.canned import load_catalog
    from diplokg.project import Project

    warnings.simplefilter("ignore")
    located = Project(Path(project))
    started = time.perf_counter()
    # A dataset with one named graph per file, as diplokg keeps them, so queries using GRAPH run too.
    graph = rdflib.Dataset(default_union=True)
    for source in located.input_files():
        graph.graph(rdflib.URIRef(source.graph.value)).parse(source.path, format="turtle")
    parsed = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    closed = time.perf_counter()
    parameter_sets = json.loads((located.root / "bench-params.json").read_text())
    results = {}
    signal.signal(signal.SIGALRM, _out_of_budget)
    for query in load_catalog(located.queries_dir):
        sets = parameter_sets.get(query.name, [{}]) if query.parameters else [{}]
        bindings = [_rdflib_bindings(query, values) for values in sets[:NAIVE_PARAMETER_SETS]]
        latencies = []
        try:
            for _ in range(int(repeats)):
                for bound in bindings:
                    signal.alarm(NAIVE_QUERY_BUDGET_SECONDS)
                    begun = time.perf_counter()
                    list(graph.query(query.body, initBindings=bound))
                    latencies.append(time.perf_counter() - begun)
                    signal.alarm(0)
        except _OutOfBudget:
            results[query.name] = {"over_budget_seconds": NAIVE_QUERY_BUDGET_SECONDS, "kind": _query_kind(query)}
            continue
        results[query.name] = _latency_summary(latencies) | {"kind": _query_kind(query)}
    return {"parse": round(parsed - started, 3), "closure": round(closed - parsed, 3),
            "build": round(closed - started, 3), "triples_after_closure": len(graph),
            "queries": results, "peak_rss_mb": _peak_rss_mb()}


def child_sheets(project: str, store: str, out: str) -> dict:
    import diplokg
    from diplokg.sheets import render_site

    graph = diplokg.open(store=store, project=project)
    started = time.perf_counter()
    report = render_site(graph, Path(out))
    seconds = time.perf_counter() - started
    pages = sum(1 for _ in Path(out).rglob("*.html"))
    return {"pages": pages, "seconds": round(seconds, 3), "pages_per_second": round(pages / seconds, 1),
            "ms_per_page": round(1000 * seconds / pages, 2), "pages_by_type": report.pages,
            "peak_rss_mb": _peak_rss_mb()}


class _OutOfBudget(Exception):
    pass


def _out_of_budget(signum, frame):
    raise _OutOfBudget()


def _rdflib_bindings(query, values: dict[str, str]) -> dict:
    import rdflib

    from diplokg.namespaces import PREFIXES

    bound = {}
    for parameter in query.parameters:
        value = values.get(parameter.name, parameter.default)
        if parameter.is_literal:
            datatype = rdflib.URIRef(PREFIXES["xsd"] + parameter.type.split(":", 1)[1])
            bound[parameter.name] = rdflib.Literal(value, datatype=None if parameter.type == "xsd:string" else datatype)
        else:
            prefix, local = value.split(":", 1)
            bound[parameter.name] = rdflib.URIRef(PREFIXES[prefix] + local)
    return bound


def _query_kind(query) -> str:
    if not query.parameters:
        return "corpus-wide"
    return "entity-bound" if any(not p.is_literal for p in query.parameters) else "value-bound"


def _latency_summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {"p50_ms": round(1000 * statistics.median(ordered), 2), "p95_ms": round(1000 * p95, 2),
            "runs": len(ordered)}


_CHILDREN = {"build": child_build, "floor": child_floor, "queries": child_queries, "naive": child_naive,
             "sheets": child_sheets}


def run_child(kind: str, *args: str, timeout: float | None = None) -> dict | None:
    """Run one measurement in a fresh Python process; its wall time includes start-up.

    Returns None when the child outlives ``timeout``; it is stopped with the
    processes it started (its own session).
    """
    # Project and store are passed explicitly; only the schema cache location is inherited.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOKG_") or k == "DIPLOKG_CACHE"}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--child", kind, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return None
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"{kind} failed ({child.returncode}):\n{stdout}\n{stderr}")
    return json.loads(stdout.strip().splitlines()[-1]) | {"wall": round(wall, 3)}


# --- one scale -------------------------------------------------------------------------------------


def measure_scale(documents: int, work: Path, args: argparse.Namespace) -> dict:
    from generate_corpus import generate

    import pyoxigraph as ox

    scale_dir = work / f"{documents}"
    shutil.rmtree(scale_dir, ignore_errors=True)
    project = generate(scale_dir / "project", documents, args.seed)
    store = scale_dir / "store"
    _say(f"{documents} documents: build")
    build = run_child("build", str(project), str(store))
    asserted = build["asserted"]
    generation = store.resolve()
    build["store_mb"] = round(sum(p.stat().st_size for p in generation.rglob("*") if p.is_file()) / 2**20, 1)

    nquads = scale_dir / "final.nq"
    with open(nquads, "wb") as out:
        ox.Store.read_only(str(generation / "oxigraph")).dump(out, format=ox.RdfFormat.N_QUADS)
    _say(f"{documents} documents: floor")
    floor = run_child("floor", str(nquads), str(scale_dir / "floor-store"))
    _say(f"{documents} documents: queries")
    queries = run_child("queries", str(project), str(store), str(args.repeats))["queries"]
    naive = None
    if documents <= args.naive_max:
        _say(f"{documents} documents: naive (rdflib + owlrl)")
        naive = run_child("naive", str(project), "1")
    sheets = None
    if documents <= args.sheets_max:
        _say(f"{documents} documents: fact sheets")
        sheets = run_child("sheets", str(project), str(store), str(scale_dir / "site"), timeout=args.sheets_budget)
        if sheets is None:
            # Out of time: the pages written so far, in the staging folder, give the rate.
            pages = sum(1 for _ in scale_dir.glob(".site.*/**/*.html"))
            sheets = {"pages": pages, "seconds": args.sheets_budget, "partial": True,
                      "pages_per_second": round(pages / args.sheets_budget, 1),
                      "ms_per_page": round(1000 * args.sheets_budget / max(pages, 1), 2)}
    if not args.keep:
        shutil.rmtree(scale_dir, ignore_errors=True)
    return {"documents": documents, "asserted": asserted, "inferred": build["inferred"], "build": build,
            "floor": floor, "naive": naive, "queries": queries, "sheets": sheets}


def estimate_naive(scales: list[dict]) -> None:
    """Fill in naive build times where not measured: a power law through the two largest measured sizes."""
    measured = [s for s in scales if s["naive"] and "build" in s["naive"]]
    if len(measured) < 2:
        return
    a, b = measured[-2], measured[-1]
    for key in ("parse", "closure", "build"):
        exponent = math.log(b["naive"][key] / a["naive"][key]) / math.log(b["asserted"] / a["asserted"])
        for scale in scales:
            if scale["naive"] is None or scale["naive"].get("estimated"):
                scale["naive"] = scale["naive"] or {"estimated": True, "exponent": {}}
                scale["naive"][key] = round(b["naive"][key] * (scale["asserted"] / b["asserted"]) ** exponent, 1)
                scale["naive"]["exponent"][key] = round(exponent, 2)


# --- reports ---------------------------------------------------------------------------------------


def markdown(results: dict) -> str:
    scales = results["scales"]
    lines = [
        f"Measured {results['started']} on {results['machine']['cpus']} CPUs ({results['machine']['processor']}),"
        f" load average {results['load_average_before']} before and {results['load_average_after']} after;"
        f" Python {results['machine']['python']}, pyoxigraph {results['machine']['pyoxigraph']}.",
        "",
        "| documents | asserted | inferred | load s | validate s | reason s | store s | build wall s | peak RSS MB |"
        " store MB | floor s | build ÷ floor | naive build s | naive ÷ build |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scales:
        st, naive = s["build"]["stages"], s["naive"]
        naive_text = "—" if not naive else (f"~{naive['build']:,} (estimated)" if naive.get("estimated") else f"{naive['build']:,}")
        ratio = "—" if not naive else f"{naive['build'] / s['build']['wall']:.1f}×"
        lines.append(
            f"| {s['documents']:,} | {s['asserted']:,} | {s['inferred']:,} | {st['load']} | {st['validate']} |"
            f" {st['reason']} | {st['store']} | {s['build']['wall']} | {s['build']['peak_rss_mb']} |"
            f" {s['build']['store_mb']} | {s['floor']['wall']} | {s['build']['wall'] / s['floor']['wall']:.1f}× |"
            f" {naive_text} | {ratio} |")
    lines += ["", "Floor: wall time of a fresh process that bulk-loads the final N-Quads (asserted + inferred) into"
              " an empty on-disk store. Naive: rdflib parse + owlrl closure in one process (start-up excluded).", ""]
    header = "| query | kind | " + " | ".join(f"{s['asserted']:,} p50 / p95 ms" for s in scales)
    naive_scales = [s for s in scales if s["naive"] and "queries" in s["naive"]]
    header += "".join(f" | naive {s['asserted']:,} p50 / p95 ms" for s in naive_scales) + " |"
    lines += [header, "|---|---|" + "---:|" * (len(scales) + len(naive_scales))]
    for name, first in scales[0]["queries"].items():
        cells = [f"{s['queries'][name]['p50_ms']} / {s['queries'][name]['p95_ms']}" for s in scales]
        for s in naive_scales:
            q = s["naive"]["queries"][name]
            cells.append(f"> {q['over_budget_seconds']} s" if "over_budget_seconds" in q else f"{q['p50_ms']} / {q['p95_ms']}")
        lines.append(f"| {name} | {first['kind']} | " + " | ".join(cells) + " |")
    sheet_scales = [s for s in scales if s["sheets"]]
    if sheet_scales:
        lines += ["", "| asserted | pages | seconds | pages/s | ms/page |", "|---:|---:|---:|---:|---:|"]
        for s in sheet_scales:
            sh = s["sheets"]
            partial = " (stopped at the time budget)" if sh.get("partial") else ""
            lines.append(f"| {s['asserted']:,} | {sh['pages']:,}{partial} | {sh['seconds']} | {sh['pages_per_second']} | {sh['ms_per_page']} |")
    return "\n".join(lines) + "\n"


def svg_plot(results: dict) -> str:
    """Seconds against asserted triples, both axes logarithmic; estimates dashed."""
    scales = results["scales"]
    series = {
        "diplokg build (wall)": ("#1f77b4", [(s["asserted"], s["build"]["wall"], False) for s in scales]),
        "validate": ("#9467bd", [(s["asserted"], s["build"]["stages"]["validate"], False) for s in scales]),
        "reason": ("#2ca02c", [(s["asserted"], s["build"]["stages"]["reason"], False) for s in scales]),
        "floor (bulk load of the result)": ("#7f7f7f", [(s["asserted"], s["floor"]["wall"], False) for s in scales]),
        "naive (rdflib + owlrl)": ("#d62728", [(s["asserted"], s["naive"]["build"], bool(s["naive"].get("estimated")))
                                               for s in scales if s["naive"]]),
    }
    points = [p for _, pts in series.values() for p in pts if p[1] > 0]
    x_low, x_high = _decades(min(p[0] for p in points), max(p[0] for p in points))
    y_low, y_high = _decades(min(p[1] for p in points), max(p[1] for p in points))
    width, height, left, bottom, top, right = 720, 440, 70, 50, 20, 230

    def x(value):
        return left + (math.log10(value) - x_low) / (x_high - x_low) * (width - left - right)

    def y(value):
        return height - bottom - (math.log10(value) - y_low) / (y_high - y_low) * (height - bottom - top)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             '<rect width="100%" height="100%" fill="white"/>']
    for decade in range(x_low, x_high + 1):
        parts.append(f'<line x1="{x(10**decade):.1f}" y1="{top}" x2="{x(10**decade):.1f}" y2="{height - bottom}" stroke="#ddd"/>')
        parts.append(f'<text x="{x(10**decade):.1f}" y="{height - bottom + 16}" text-anchor="middle">10^{decade}</text>')
    for decade in range(y_low, y_high + 1):
        parts.append(f'<line x1="{left}" y1="{y(10**decade):.1f}" x2="{width - right}" y2="{y(10**decade):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(10**decade) + 4:.1f}" text-anchor="end">{10**decade:g} s</text>')
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 12}" text-anchor="middle">asserted triples</text>')
    for row, (name, (colour, pts)) in enumerate(series.items()):
        pts = [p for p in pts if p[1] > 0]
        for (x1, y1, _), (x2, y2, estimated) in zip(pts, pts[1:]):
            dash = ' stroke-dasharray="5,4"' if estimated else ""
            parts.append(f'<line x1="{x(x1):.1f}" y1="{y(y1):.1f}" x2="{x(x2):.1f}" y2="{y(y2):.1f}" stroke="{colour}" stroke-width="2"{dash}/>')
        for px, py, estimated in pts:
            fill = "white" if estimated else colour
            parts.append(f'<circle cx="{x(px):.1f}" cy="{y(py):.1f}" r="3.5" fill="{fill}" stroke="{colour}"/>')
        parts.append(f'<line x1="{width - right + 15}" y1="{top + 10 + 20 * row}" x2="{width - right + 40}" y2="{top + 10 + 20 * row}" stroke="{colour}" stroke-width="2"/>')
        parts.append(f'<text x="{width - right + 45}" y="{top + 14 + 20 * row}">{name}</text>')
    parts.append(f'<text x="{width - right + 15}" y="{top + 14 + 20 * len(series)}">dashed, hollow: estimated</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _decades(low: float, high: float) -> tuple[int, int]:
    return math.floor(math.log10(low)), max(math.ceil(math.log10(high)), math.floor(math.log10(low)) + 1)


def _say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _machine() -> dict:
    import pyoxigraph

    return {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="corpus sizes in documents, comma-separated")
    parser.add_argument("--naive-max", type=int, default=100, help="largest size to run the naive stack at")
    parser.add_argument("--sheets-max", type=int, default=1000, help="largest size to render fact sheets at")
    parser.add_argument("--sheets-budget", type=float, default=120,
                        help="seconds fact sheets may take at one size; a slower run reports its rate so far")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each query per parameter set")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPOSITORY / "bench", help="where results go")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default OUT/work)")
    parser.add_argument("--keep", action="store_true", help="keep each scale's corpus and stores")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        print(json.dumps(_CHILDREN[kind](*rest)))
        return 0
    try:
        sizes = sorted({int(size) for size in args.sizes.split(",")})
    except ValueError:
        parser.error(f"--sizes takes whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or sizes[0] < 1:
        parser.error("every size must be at least one document")
    work = args.work or args.out / "work"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPOSITORY)
    results = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": _machine(),
               "commit": commit.stdout.strip() or "unknown",
               "load_average_before": [round(v, 2) for v in os.getloadavg()],
               "command": " ".join([Path(sys.executable).name, "scripts/bench.py", *(argv or sys.argv[1:])]),
               "scales": []}
    args.out.mkdir(parents=True, exist_ok=True)
    for documents in sizes:
        results["scales"].append(measure_scale(documents, work, args))
        # Written after every size, so a long run that fails later keeps what it measured.
        (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    estimate_naive(results["scales"])
    results["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    (args.out / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    (args.out / "results.md").write_text(markdown(results), encoding="utf-8")
    (args.out / "results.svg").write_text(svg_plot(results), encoding="utf-8")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
