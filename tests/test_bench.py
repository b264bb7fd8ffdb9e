"""The benchmark's arithmetic and reports (the measurements themselves run with `make bench`)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from conftest import load_script

bench = load_script("bench")


def scale(documents: int, asserted: int, build: float, naive: dict | None) -> dict:
    stages = {"load": 0.1, "validate": 0.2, "reason": 0.3, "store": 0.1}
    return {
        "documents": documents, "asserted": asserted, "inferred": asserted, "naive": naive,
        "build": {"wall": build, "stages": stages, "peak_rss_mb": 100.0, "store_mb": 1.0},
        "floor": {"wall": build / 4},
        "queries": {"q": {"p50_ms": 1.0, "p95_ms": 2.0, "runs": 10, "kind": "entity-bound"}},
        "sheets": None,
    }


def results(scales: list[dict]) -> dict:
    return {"started": "now", "machine": {"cpus": 2, "processor": "x", "python": "3", "pyoxigraph": "0.5"},
            "load_average_before": [1, 1, 1], "load_average_after": [1, 1, 1], "scales": scales}


def test_naive_is_estimated_from_its_measured_growth_and_marked_so():
    naive = {"parse": 1.0, "closure": 2.0, "build": 3.0, "queries": {}}
    bigger = {"parse": 10.0, "closure": 40.0, "build": 50.0, "queries": {}}
    scales = [scale(10, 1_000, 1, naive), scale(100, 10_000, 2, bigger), scale(1000, 100_000, 5, None)]
    bench.estimate_naive(scales)
    estimate = scales[2]["naive"]
    assert estimate["estimated"] is True
    assert estimate["parse"] == 100.0  # linear growth stays linear
    assert estimate["closure"] == 800.0  # 20× per decade stays 20× per decade
    assert "estimated" not in scales[1]["naive"]


def test_nothing_is_estimated_from_a_single_measurement():
    scales = [scale(10, 1_000, 1, {"parse": 1.0, "closure": 1.0, "build": 2.0}), scale(100, 10_000, 2, None)]
    bench.estimate_naive(scales)
    assert scales[1]["naive"] is None


def test_p95_is_the_value_below_which_95_percent_fall():
    summary = bench._latency_summary([i / 1000 for i in range(1, 101)])
    assert summary == {"p50_ms": 50.5, "p95_ms": 95.0, "runs": 100}


def test_reports_show_every_scale_and_mark_estimates():
    scales = [scale(10, 1_000, 1, {"parse": 1.0, "closure": 2.0, "build": 3.0, "queries": {
        "q": {"p50_ms": 9.0, "p95_ms": 12.0, "runs": 2, "kind": "entity-bound"}}}),
              scale(100, 10_000, 2, {"parse": 9.0, "closure": 30.0, "build": 39.0, "estimated": True})]
    report = results(scales)
    table = bench.markdown(report)
    assert "| 1,000 |" in table and "| 10,000 |" in table
    assert "~39.0 (estimated)" in table
    svg = ElementTree.fromstring(bench.svg_plot(report))
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"diplokg build (wall)", "floor (bulk load of the result)", "naive (rdflib + owlrl)"} <= texts
    hollow = [c for c in svg.iter("{http://www.w3.org/2000/svg}circle") if c.get("fill") == "white"]
    assert len(hollow) == 1  # the one estimated point
