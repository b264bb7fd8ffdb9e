"""Stage 4, store: on-disk pyoxigraph stores, published atomically.

A store path is a symbolic link to one generation directory. A build writes a
complete new generation beside the current one and then swaps the link in one
rename, so readers see either the old graph or the new one, never a half-built
one, and a failed or killed build leaves the previous store answering.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from .errors import DiplokgError, InputError

DEFAULT_STORE = Path(".diplokg") / "store"
_DATA_DIR = "oxigraph"
_MANIFEST = "manifest.json"


class StoreMissing(InputError):
    """No store at the path given, or something else is there."""


class StoreBusy(InputError):
    """Another build holds this store's lock."""


class StoreUnwritable(DiplokgError):
    """The system refused a write (permissions, a full disk): nothing was published."""


@contextmanager
def _writing(what: Path) -> Iterator[None]:
    """Turn the system's refusal to write into a message saying what is safe and what to do."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error)
        raise StoreUnwritable(
            f"cannot write {what}: {reason}" + (f" ({error.filename})" if error.filename else "")
            + "; the previous store, if any, is unchanged. Free disk space, or choose a --store path you can write to"
        ) from None


@dataclass(frozen=True)
class StoreLocation:
    """Where a store lives: the link users name, and the generations behind it."""

    link: Path

    @classmethod
    def resolve(cls, path: str | os.PathLike[str] | None = None) -> "StoreLocation":
        """``path``, else $DIPLOKG_STORE, else .diplokg/store under the current directory."""
        chosen = path or os.environ.get("DIPLOKG_STORE") or DEFAULT_STORE
        return cls(Path(chosen).absolute())

    @property
    def generations(self) -> Path:
        return self.link.parent / f"{self.link.name}.generations"

    @property
    def lock_file(self) -> Path:
        return self.link.parent / f"{self.link.name}.lock"

    def current(self) -> Path | None:
        """The generation the link points at, or None before the first build."""
        if self.link.is_symlink():
            target = self.link.resolve()
            return target if (target / _DATA_DIR).is_dir() else None
        if self.link.exists():
            raise StoreMissing(f"{self.link} exists but is not a diplokg store; choose another --store path")
        return None

    def open(self, generation: Path | None = None) -> ox.Store:
        """The current store (or the given generation of it), read-only: queries can never change it."""
        generation = generation or self._require_current()
        return ox.Store.read_only(str(generation / _DATA_DIR))

    def manifest(self) -> dict:
        return json.loads((self._require_current() / _MANIFEST).read_text(encoding="utf-8"))

    def _require_current(self) -> Path:
        generation = self.current()
        if generation is None:
            raise StoreMissing(f"no store at {self.link}; run `diplokg build` first")
        return generation

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """Exclusive right to build this store; a second concurrent build fails at once."""
        with _writing(self.link.parent):
            self.link.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.lock_file, "a+")
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno in (errno.EAGAIN, errno.EACCES):
                    raise StoreBusy(
                        f"another build of {self.link} is running (lock {self.lock_file}); wait for it to finish"
                    ) from None
                raise
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def write_generation(self, quads: Iterable[ox.Quad]) -> Path:
        """Write the data of a new generation that nothing points at yet; on failure, remove it."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        generation = self.generations / f"{stamp}-{os.getpid()}"
        try:
            with _writing(self.generations):
                generation.mkdir(parents=True)
                store = ox.Store(str(generation / _DATA_DIR))
                store.bulk_extend(quads)
                store.flush()
                del store  # closes the database before it is published
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        return generation

    @staticmethod
    def write_manifest(generation: Path, manifest: dict) -> None:
        partial = generation / (_MANIFEST + ".partial")
        try:
            with _writing(generation):
                partial.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
                os.replace(partial, generation / _MANIFEST)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise

    def publish(self, generation: Path) -> None:
        """Point the link at ``generation`` in one atomic rename, then prune old generations."""
        previous = self.current()
        # Links staged by builds killed before their rename; the build lock makes them stale.
        for stale in self.link.parent.glob(f".{self.link.name}.*.link"):
            stale.unlink(missing_ok=True)
        staged = self.link.parent / f".{self.link.name}.{os.getpid()}.link"
        with _writing(self.link):
            os.symlink(os.path.relpath(generation, self.link.parent), staged)
            os.replace(staged, self.link)
        self._prune(keep={generation, previous})

    def _prune(self, keep: set[Path | None]) -> None:
        # The previous generation stays: a reader that opened it just before
        # the swap must be able to finish. Anything older, or left by a
        # failed build, goes.
        kept = {p.resolve() for p in keep if p is not None}
        for generation in sorted(self.generations.iterdir()):
            if generation.resolve() not in kept:
                shutil.rmtree(generation, ignore_errors=True)
