"""Shared fixtures: one built store for read-only tests, a CLI runner, project copies to break."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
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
