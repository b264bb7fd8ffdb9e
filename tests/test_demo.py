"""`make demo` ends with the answer to the demo question and its sources."""

from __future__ import annotations

import os
import subprocess

from conftest import ROOT


def test_make_demo_prints_the_answer_with_its_sources(tmp_path):
    env = {**os.environ, "DIPLOKG_STORE": str(tmp_path / "store")}
    site = tmp_path / "site"
    done = subprocess.run(["make", "-s", "demo", f"SITE={site}"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "✓ reason" in done.stderr, "the build reports its stages"
    answer = done.stdout[done.stdout.index("Alliances a state left"):]
    assert "Collective Security Treaty Organization" in answer
    assert "suspended" in answer
    assert "doc:000_a2fe28b85ae602ee" in answer and "doc:002_ec9d1e3fc129980f" in answer
    assert "\n2 rows\n" in answer
    assert answer.rstrip().endswith(f"Fact sheets: open {site}/index.html in a browser (works offline).")
    assert (site / "index.html").is_file()
