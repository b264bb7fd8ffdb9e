"""Stage 1, load: parse every input file into quads of its own named graph."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import InvalidInput, Problem
from .project import InputFile, Project


@dataclass
class LoadedFile:
    """One parsed input file."""

    source: InputFile
    sha256: str
    quads: list[ox.Quad]


@dataclass
class Corpus:
    """Everything the load stage read, file by file."""

    files: list[LoadedFile] = field(default_factory=list)

    def quads(self, roles: set[str] | None = None) -> Iterator[ox.Quad]:
        for loaded in self.files:
            if roles is None or loaded.source.role in roles:
                yield from loaded.quads

    def files_with_subject(self, subject: ox.NamedNode | ox.BlankNode) -> list[LoadedFile]:
        return [f for f in self.files if any(q.subject == subject for q in f.quads)]


def load(project: Project) -> Corpus:
    """Parse all of the project's input files; report every unreadable file at once."""
    corpus, problems = read(project)
    if problems:
        raise InvalidInput(problems)
    return corpus


def read(project: Project) -> tuple[Corpus, list[Problem]]:
    """Parse every input file that parses, and say what is wrong with each of the others."""
    corpus = Corpus()
    problems: list[Problem] = []
    for source in project.input_files():
        try:
            corpus.files.append(load_file(source))
        except InvalidInput as error:
            problems.extend(error.problems)
    if not any(f.source.role == "ontology" for f in corpus.files) and not problems:
        problems.append(Problem(project.ontology_dir, "no ontology files (*.ttl) found"))
    return corpus, problems


def max_file_bytes() -> int:
    """The largest input file read, in bytes: DIPLOKG_MAX_FILE_MB, 1024 MiB unless set."""
    megabytes = os.environ.get("DIPLOKG_MAX_FILE_MB", "1024")
    try:
        return int(float(megabytes) * 2**20)
    except ValueError:
        raise InvalidInput([Problem(None, f"DIPLOKG_MAX_FILE_MB={megabytes!r} is not a number of megabytes")]) from None


def load_file(source: InputFile) -> LoadedFile:
    """Parse one Turtle file, placing its triples in the file's named graph."""
    size, limit = source.path.stat().st_size, max_file_bytes()
    if size > limit:
        # Parsing holds a file's triples in memory: refuse before reading rather than exhaust it.
        raise InvalidInput([Problem(source.path, f"the file is {size / 2**20:.1f} MiB, over the limit of "
                                    f"{limit / 2**20:.1f} MiB for one file; split it into several files "
                                    "(or raise DIPLOKG_MAX_FILE_MB)")])
    data = source.path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInput(
            [Problem(source.path, f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8", line)]
        ) from None
    if not data.strip():
        raise InvalidInput([Problem(source.path, "the file is empty; add triples or remove the file")])
    try:
        triples = ox.parse(data, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)
        quads = [ox.Quad(q.subject, q.predicate, q.object, source.graph) for q in triples]
    except SyntaxError as error:
        raise InvalidInput([_syntax_problem(source, error)]) from None
    return LoadedFile(source, hashlib.sha256(data).hexdigest(), quads)


def _syntax_problem(source: InputFile, error: SyntaxError) -> Problem:
    message = error.msg or str(error)
    # pyoxigraph prefixes its message with the position it also gives as lineno/offset.
    if message.startswith("Parser error at line"):
        message = message.split(": ", 1)[-1]
    return Problem(source.path, f"Turtle syntax error: {message}", error.lineno, error.offset)
