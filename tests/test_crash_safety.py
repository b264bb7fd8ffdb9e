"""Builds cannot corrupt the store: killed at any stage, out of space, or refused a write,
the previous store keeps answering exactly as before."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, assert_no_traceback, diplokg

STAGES = ["load", "validate", "reason", "store"]


def answers(store: Path) -> str:
    """What users see: a canned answer and the triple count per graph."""
    run = diplokg("ask", "alliances-left", "--format", "csv", store=store)
    stats = diplokg("stats", store=store)
    assert run.code == 0 and stats.code == 0, run.output + stats.output
    return run.stdout + stats.stdout


@pytest.fixture
def store(tmp_path) -> Path:
    store = tmp_path / "store"
    assert diplokg("build", store=store).code == 0
    return store


def start_build(store: Path, **popen) -> subprocess.Popen:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DIPLOKG_")},
           "DIPLOKG_STORE": str(store), "DIPLOKG_PROJECT": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "diplokg", "build"], stderr=subprocess.PIPE, text=True, env=env,
                            **popen)


def assert_intact(store: Path, generation: Path, before: str) -> None:
    """The store still answers as before, and the next build succeeds and leaves no debris."""
    assert store.resolve() in (generation, *generation.parent.iterdir())
    assert answers(store) == before
    rebuilt = diplokg("build", store=store)
    assert rebuilt.code == 0, rebuilt.output  # the lock died with the killed build
    generations = list(generation.parent.iterdir())
    assert len(generations) == 2, generations  # the new one and its predecessor; partial ones are gone
    assert not list(store.parent.glob(f".{store.name}.*.link"))
    assert answers(store) == before


@pytest.mark.reliability("Interrupted and failed builds", "SIGKILL during the stage after {stage}")
@pytest.mark.parametrize("stage", STAGES)
def test_a_build_killed_after_each_stage_leaves_the_store_answering(store, stage):
    before, generation = answers(store), store.resolve()
    build = start_build(store)
    for line in build.stderr:
        if line.lstrip("✓ ").startswith(stage):
            build.send_signal(signal.SIGKILL)  # during the next stage
            break
    code = build.wait(timeout=120)
    # After the last stage only the manifest and the rename remain: the kill may come too late.
    assert code == -signal.SIGKILL or (stage == STAGES[-1] and code == 0), f"exit {code} after stage {stage}"
    assert_intact(store, generation, before)


@pytest.mark.reliability("Interrupted and failed builds", "SIGKILL {delay} s into a build")
@pytest.mark.parametrize("delay", [0.05, 0.3, 0.8, 1.5, 2.5])
def test_a_build_killed_at_any_moment_leaves_the_store_answering(store, delay):
    before, generation = answers(store), store.resolve()
    build = start_build(store)
    time.sleep(delay)
    build.kill()
    build.wait(timeout=120)
    # Killed or, at the longest delays, finished: either way the store answers the same.
    assert answers(store) == before
    rebuilt = diplokg("build", store=store)
    assert rebuilt.code == 0, rebuilt.output
    assert len(list(generation.parent.iterdir())) == 2


def _limit_file_size() -> None:
    # Writes past 32 KiB fail with EFBIG instead of killing the process (SIGXFSZ ignored):
    # the same refusal as a full disk, on any machine.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (32 * 1024, 32 * 1024))


@pytest.mark.reliability("Interrupted and failed builds", "write refused mid-store (file size limit, EFBIG)")
def test_a_write_failure_is_reported_and_publishes_nothing(store):
    before, generation = answers(store), store.resolve()
    build = start_build(store, preexec_fn=_limit_file_size)
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 1, stderr
    assert "cannot write" in stderr and "File too large" in stderr and "the previous store, if any, is unchanged" in stderr
    assert "Traceback" not in stderr
    assert store.resolve() == generation and list(generation.parent.iterdir()) == [generation]
    assert answers(store) == before


@pytest.mark.reliability("Interrupted and failed builds", "disk full (ENOSPC on a filled tmpfs)")
def test_a_full_disk_is_reported_and_publishes_nothing(tmp_path):
    """A real ENOSPC: the store lives on a small tmpfs, filled up after the first build."""
    unshare = shutil.which("unshare")
    disk = tmp_path / "disk"
    disk.mkdir()
    namespace = [unshare, "--mount"] if os.geteuid() == 0 else [unshare, "--user", "--map-root-user", "--mount"]
    probe = subprocess.run([*namespace, "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                           capture_output=True, text=True) if unshare else None
    if probe is None or probe.returncode != 0:
        pytest.skip("mounting a small tmpfs needs unshare and mount namespaces; the write-failure test above "
                    "covers the same path with a file size limit")
    python, store = sys.executable, disk / "store"
    script = f"""
        set -u
        mount -t tmpfs -o size=64m tmpfs {disk}
        export DIPLOKG_STORE={store} DIPLOKG_PROJECT={ROOT}
        {python} -m diplokg build 2>/dev/null || echo FIRST-BUILD-FAILED
        {python} -m diplokg ask alliances-left --format csv > {tmp_path}/before.csv
        dd if=/dev/zero of={disk}/filler bs=64k 2>/dev/null
        {python} -m diplokg build 2> {tmp_path}/second.err; echo $? > {tmp_path}/second.code
        {python} -m diplokg ask alliances-left --format csv > {tmp_path}/after.csv
        ls {disk}/store.generations | wc -l > {tmp_path}/generations
    """
    done = subprocess.run([*namespace, "sh", "-c", script], capture_output=True, text=True, timeout=300)
    assert "FIRST-BUILD-FAILED" not in done.stdout, done.stdout + done.stderr
    second = (tmp_path / "second.err").read_text()
    assert (tmp_path / "second.code").read_text().strip() == "1", second
    assert "No space left on device" in second and "the previous store, if any, is unchanged" in second
    assert "Traceback" not in second
    assert (tmp_path / "after.csv").read_text() == (tmp_path / "before.csv").read_text() != ""
    assert (tmp_path / "generations").read_text().strip() == "1"


@pytest.mark.reliability("Interrupted and failed builds", "store location not writable (permission denied)")
def test_a_store_where_writing_is_not_permitted_is_reported(tmp_path):
    if os.geteuid() == 0:
        target = Path("/sys/diplokg-test/store")  # sysfs refuses new folders, even to root
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        target = locked / "store"
    run = diplokg("build", store=target)
    assert run.code == 1, run.output
    assert f"cannot write {target.parent}" in run.stderr and "choose a --store path you can write to" in run.stderr
    assert_no_traceback(run)
