"""Shared fixtures: one built store for read-only tests, a CLI runner, project copies to break."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def diplokg(*args: str, store: Path | None = None, project: Path | None = None, input: str | None = None,
            env: dict[str, str] | None = None) -> Run:
    """Run the installed CLI the way a user does, in a separate process (``env`` adds variables)."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DIPLOKG_")}, **(env or {})}
    command = [sys.executable, "-m", "diplokg", *args]
    if store is not None:
        env["DIPLOKG_STORE"] = str(store)
    env["DIPLOKG_PROJECT"] = str(project or ROOT)
    done = subprocess.run(command, capture_output=True, text=True, env=env, input=input, timeout=300)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def built_store(tmp_path_factory) -> Path:
    """The real project built once into a temporary store."""
    store = tmp_path_factory.mktemp("store") / "store"
    run = diplokg("build", store=store)
    assert run.code == 0, run.output
    return store


@pytest.fixture(scope="session")
def site(built_store, tmp_path_factory) -> Path:
    """The fact sheets of the real project, written once."""
    out = tmp_path_factory.mktemp("site") / "site"
    run = diplokg("sheets", "-o", str(out), store=built_store)
    assert run.code == 0, run.output
    return out


def system_tool(*names: str, package: str) -> str:
    """The path of a system program a test needs.

    Outside CI a missing tool skips the test, saying what to install; with CI=true
    it fails, because `.ci/run` installs it and the test must run there.
    """
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{' or '.join(names)} not found; install the Debian package {package} to run this test"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: .ci/run should have installed it)")
    pytest.skip(message)


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A writable copy of the project's inputs, for tests that break them."""
    copy = tmp_path / "project"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, copy / folder)
    return copy


def load_script(name: str):
    """A module of scripts/ (not a package), imported under its file name."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the file runs
        spec.loader.exec_module(module)
    return sys.modules[name]


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output, run.output


def free_port() -> int:
    """A TCP port nothing listens on right now, on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(store: Path, *options: str, project: Path | None = None) -> Iterator[str]:
    """`diplokg serve` on 127.0.0.1 and a free port, as a user starts it; yields its base URL, then stops it."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOKG_")}
    env.update(DIPLOKG_STORE=str(store), DIPLOKG_PROJECT=str(project or ROOT))
    process = subprocess.Popen([sys.executable, "-m", "diplokg", "serve", "--port", str(port), *options],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                if urllib.request.urlopen(url + "/api/queries", timeout=5).status == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- The reliability report (docs/reliability.md, written by scripts/reliability_report.py) ---
# A test of a fault or attack carries @pytest.mark.reliability(area, attack); "{param}"
# in the attack text is filled from the test's parameters. A test that tries many
# cases counts them with the `cases` fixture; otherwise it counts as one.

RELIABILITY_LOG = os.environ.get("DIPLOKG_RELIABILITY_LOG")


def pytest_configure(config):
    config.addinivalue_line("markers", "reliability(area, attack): a fault or attack listed in docs/reliability.md")


class CaseCounter:
    def __init__(self) -> None:
        self.count = 0

    def add(self, number: int = 1) -> None:
        self.count += number


@pytest.fixture
def cases(request) -> CaseCounter:
    counter = CaseCounter()
    request.node.stash[_CASES] = counter
    return counter


_CASES = pytest.StashKey[CaseCounter]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("reliability")
    if not RELIABILITY_LOG or marker is None or report.when != "call" and not (report.when == "setup" and report.skipped):
        return
    area, attack = marker.args
    params = getattr(getattr(item, "callspec", None), "params", {})
    counter = item.stash.get(_CASES, None)
    entry = {"area": area, "attack": attack.format(**params), "test": item.nodeid,
             "cases": counter.count if counter and counter.count else 1, "outcome": report.outcome}
    with open(RELIABILITY_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
