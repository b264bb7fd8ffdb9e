"""Load: 5,000 mixed requests from 8 clients while a rebuild swaps the store under the server.

The larger run is `python scripts/loadtest.py` (20,000 requests, 16 clients by default).
"""

from __future__ import annotations

import json

import pytest

from conftest import diplokg, load_script, running_server

REQUESTS, CLIENTS = 5_000, 8


@pytest.mark.reliability("Load",
                         "load: 5,000 mixed requests, 8 clients, the store rebuilt and swapped mid-run")
def test_no_failed_or_partial_answer_while_the_store_is_swapped(tmp_path, project_copy, cases):
    loadtest = load_script("loadtest")
    store = tmp_path / "store"
    assert diplokg("build", store=store, project=project_copy).code == 0
    loadtest.change_for_rebuild(project_copy)
    with running_server(store, project=project_copy) as url:
        report = loadtest.run_load(url, REQUESTS, CLIENTS, loadtest.rebuilder(store, project_copy))
    cases.add(len(report.latencies))
    print(json.dumps(report.summary()))  # latency percentiles and throughput, shown with pytest -s
    assert len(report.latencies) == REQUESTS
    assert report.failures == [], report.failures[:5]
    assert report.mismatches == [], report.mismatches[:5]
    # The swap really happened while clients were asking: some answers came from each graph.
    assert report.answered_by["old"] > 0 and report.answered_by["new"] > 0, report.answered_by
