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
