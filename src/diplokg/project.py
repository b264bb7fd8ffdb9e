"""Where a project's input files live and which named graph each one feeds."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .namespaces import ONTOLOGY_GRAPH, REFERENCE_GRAPH, SOURCES_GRAPH, document_graph

SHAPES_FILE = "shapes.ttl"


@dataclass(frozen=True)
class InputFile:
    """A Turtle file and the named graph its triples go into."""

    path: Path
    graph: ox.NamedNode
    role: str  # "ontology", "reference", "sources" or "document"


@dataclass(frozen=True)
class Project:
    """A diplokg project folder: ontology/, data/ and queries/ under one root."""

    root: Path

    @classmethod
    def locate(cls, root: str | os.PathLike[str] | None = None) -> "Project":
        """The project at ``root``, else $DIPLOKG_PROJECT, else the current directory."""
        chosen = root or os.environ.get("DIPLOKG_PROJECT") or Path.cwd()
        return cls(Path(chosen).resolve())

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / SHAPES_FILE

    @property
    def sources_dir(self) -> Path:
        return self.root / "data" / "sources"

    @property
    def reference_dir(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def documents_dir(self) -> Path:
        return self.root / "data" / "documents"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    def input_files(self) -> list[InputFile]:
        """Every Turtle file that goes into the graph, in a stable order."""
        files = [
            InputFile(path, ONTOLOGY_GRAPH, "ontology")
            for path in _turtle_files(self.ontology_dir)
            if path.name != SHAPES_FILE
        ]
        files += [InputFile(p, REFERENCE_GRAPH, "reference") for p in _turtle_files(self.reference_dir)]
        files += [InputFile(p, SOURCES_GRAPH, "sources") for p in _turtle_files(self.sources_dir)]
        files += [
            InputFile(p, document_graph(p.stem), "document") for p in _turtle_files(self.documents_dir)
        ]
        return files


def _turtle_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.ttl")) if folder.is_dir() else []
