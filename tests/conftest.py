"""Shared fixtures: one built store for read-only tests, a CLI runner, project copies to break."""

from __future__ import annotations

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


def diplokg(*args: str, store: Path | None = None, project: Path | None = None, input: str | None = None) -> Run:
    """Run the installed CLI the way a user does, in a separate process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOKG_")}
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


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A writable copy of the project's inputs, for tests that break them."""
    copy = tmp_path / "project"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, copy / folder)
    return copy


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
