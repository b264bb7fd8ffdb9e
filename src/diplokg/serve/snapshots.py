"""The store generation being served, followed across rebuilds without a restart.

``diplokg build`` publishes a new generation by swapping a symbolic link. Each
request takes the snapshot for the generation the link points at when the
request starts and uses only that one, so an answer comes wholly from the old
graph or wholly from the new one. Fact sheets and downloads are rendered once
per generation, on first use, into a cache folder.
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..api import KnowledgeGraph
from ..project import Project
from ..sheets import SiteReport, render_site
from ..store import StoreLocation, StoreMissing

DOWNLOAD_NAME = "diplokg"


@dataclass
class Snapshot:
    location: StoreLocation
    project: Project
    generation: Path
    cache: Path
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _site: SiteReport | None = None

    @cached_property
    def graph(self) -> KnowledgeGraph:
        return KnowledgeGraph(self.location.link, self.project.root, generation=self.generation)

    def site(self) -> SiteReport:
        """The fact-sheet site of this generation, rendered on first use."""
        with self._lock:
            if self._site is None:
                self._site = render_site(self.graph, self.cache / "site")
            return self._site

    def download(self, fmt: str) -> Path:
        """The full dump in one export format, written on first use."""
        target = self.cache / "downloads" / f"{DOWNLOAD_NAME}.{fmt}"
        with self._lock:
            if not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(target.name + ".partial")
                with open(partial, "wb") as handle:
                    self.graph.export(fmt, handle)
                partial.replace(target)
        return target


class Snapshots:
    """Hands out the snapshot of the current generation; checks the link on every request (two syscalls)."""

    def __init__(self, location: StoreLocation, project: Project, cache: Path):
        self.location = location
        self.project = project
        self.cache = cache
        self._current: Snapshot | None = None
        self._lock = threading.Lock()

    def current(self) -> Snapshot:
        generation = self.location.current()
        if generation is None:
            raise StoreMissing(f"no store at {self.location.link}; run `diplokg build` first")
        snapshot = self._current
        if snapshot is not None and snapshot.generation == generation:
            return snapshot
        with self._lock:
            if self._current is None or self._current.generation != generation:
                retired = self._current
                self._current = Snapshot(self.location, self.project, generation, self.cache / generation.name)
                # The previous generation's pages stay for requests still sending them; older ones go.
                kept = {self._current.cache, retired.cache if retired else None}
                for folder in self.cache.glob("*"):
                    if folder not in kept:
                        shutil.rmtree(folder, ignore_errors=True)
            return self._current
