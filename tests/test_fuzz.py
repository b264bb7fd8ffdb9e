"""Fuzzing with Hypothesis: damaged Turtle and arbitrary command-line parameters never
escape as an unhandled exception; each ends in a result or a diplokg error."""

from __future__ import annotations

import shutil
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT

from diplokg import cli, pipeline
from diplokg.errors import DiplokgError
from diplokg.project import Project

DOCUMENT = "data/documents/003_f209c9f0ec83d804.ttl"
ORIGINAL = (ROOT / DOCUMENT).read_bytes()
# Bytes that matter to a Turtle parser, besides any byte at all.
TURTLE_BYTES = st.sampled_from([b"<", b">", b'"', b"'", b"\\", b":", b";", b",", b".", b"[", b"]", b"(", b")",
                                b"@", b"#", b"^^", b"_:", b"\n", b"\x00", b"\xff", b"\xc3", b"\"\"\""])


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    copy = tmp_path_factory.mktemp("fuzz") / "project"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, copy / folder)
    return copy


@st.composite
def damaged(draw) -> bytes:
    """The document with a few bytes replaced, inserted or deleted at random places."""
    data = bytearray(ORIGINAL)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "replace", "delete"]))
        piece = draw(st.one_of(TURTLE_BYTES, st.binary(min_size=1, max_size=3)))
        if action == "insert":
            data[at:at] = piece
        elif action == "replace":
            data[at:at + len(piece)] = piece
        else:
            del data[at:at + draw(st.integers(1, 40))]
    return bytes(data)


@pytest.mark.reliability("Fuzzing", "damaged Turtle through load, integrity, shapes and reasoner (Hypothesis)")
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=damaged())
def test_damaged_turtle_gives_a_located_error_or_loads(project, cases, data):
    cases.add()
    (project / DOCUMENT).write_bytes(data)
    try:
        pipeline.check(Project.locate(project))
    except DiplokgError as error:
        problems = getattr(error, "problems", [])
        assert problems and all(p.file is not None for p in problems), str(error)


@pytest.mark.reliability("Fuzzing", "arbitrary parameter names and values on the command line (Hypothesis)")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=12), value=st.text(max_size=40), extra=st.lists(st.text(max_size=15), max_size=3))
def test_any_command_line_ends_with_an_exit_code(built_store, monkeypatch, capsys, cases, name, value, extra):
    cases.add()
    for command in (["ask", "alliances-left", "-p", f"{name}={value}", *extra],
                    ["ask", "entities-named", "-p", f"name={value}", "--format", "csv"],
                    ["ask", value, *extra]):
        monkeypatch.setattr(sys, "argv", ["diplokg", *command])
        monkeypatch.setenv("DIPLOKG_STORE", str(built_store))
        monkeypatch.setenv("DIPLOKG_PROJECT", str(ROOT))
        try:
            cli.main()  # any exception but SystemExit fails the test
            code = 0
        except SystemExit as exit_:
            code = exit_.code
        assert code in (0, 1, 2, None), command
        assert "Traceback" not in capsys.readouterr().err
