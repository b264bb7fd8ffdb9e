"""Fuzzing with Hypothesis: damaged Turtle and arbitrary command-line parameters never
escape as an unhandled exception; each ends in a result or a diplokg error."""

from __future__ import annotations

import http.client
import shutil
import sys
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, running_server

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


SPARQL_WORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "*", "WHERE", "{", "}", "?s", "?p", "?o", "FILTER", "(", ")",
                "OPTIONAL", "UNION", "GRAPH", "SERVICE", "<http://example.org/x>", '"a"', "1", ".", ";", "LIMIT",
                "ORDER BY", "COUNT", "LOAD", "INSERT DATA", "DELETE WHERE", "DROP ALL", "CLEAR DEFAULT", "PREFIX",
                "dip:", "a", "/", "+", "|", "^", "VALUES", "BIND", "AS", "GROUP BY", "\\u0000", "#"]
PRINTABLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)
LEAKS = ("Traceback", "site-packages", str(ROOT), 'File "')


@pytest.fixture(scope="module")
def server(built_store):
    with running_server(built_store) as url:
        yield url


def _send(url: str, method: str, path: str, headers: dict[str, str], body: bytes | None = None):
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


@pytest.mark.reliability("Fuzzing", "random queries, paths, parameters, headers and Accept values against serve (Hypothesis)")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(SPARQL_WORDS), max_size=14), text=st.text(max_size=40), accept=PRINTABLE,
       header=st.tuples(st.from_regex(r"[A-Za-z][A-Za-z-]{0,20}", fullmatch=True), PRINTABLE),
       segment=st.text(max_size=30))
def test_the_server_never_answers_500_or_leaks_internals(server, cases, words, text, accept, header, segment):
    cases.add()
    quoted = urllib.parse.quote(segment, safe="")
    headers = {"Accept": accept, header[0]: header[1]}
    requests = [
        ("GET", "/sparql?" + urllib.parse.urlencode({"query": " ".join(words)}), None),
        ("POST", "/sparql", urllib.parse.urlencode({"query": text}).encode()),
        ("GET", f"/api/queries/{quoted}?{urllib.parse.urlencode({segment or 'x': text})}", None),
        ("GET", f"/api/queries/alliances-left?state={urllib.parse.quote(text)}", None),
        ("GET", f"/id/{quoted}", None),
        ("GET", f"/sheets/{quoted}", None),
    ]
    for method, path, body in requests:
        sent = dict(headers)
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        status, _, answer = _send(server, method, path, sent, body)
        assert status != 500 and status < 600, (method, path, headers, status, answer[:300])
        assert not any(leak.encode() in answer for leak in LEAKS), (path, answer[:300])


@pytest.mark.reliability("Hostile queries against serve",
                         "header injection: CR/LF smuggled in paths, parameters and query text")
def test_crlf_in_request_data_never_becomes_a_response_header(server, cases):
    smuggled = "x\r\nSet-Cookie: injected=1\r\nX-Injected: 1"
    paths = [f"/api/queries/{urllib.parse.quote(smuggled, safe='')}",
             f"/api/queries/alliances-left?state={urllib.parse.quote(smuggled)}",
             f"/id/{urllib.parse.quote(smuggled, safe='')}",
             "/sparql?" + urllib.parse.urlencode({"query": f"ASK {{ ?s ?p \"{smuggled}\" }}"})]
    cases.add(len(paths))
    for path in paths:
        status, headers, _ = _send(server, "GET", path, {"Accept": "*/*"})
        names = {name.lower() for name, _ in headers}
        assert status < 500 and "set-cookie" not in names and "x-injected" not in names, (path, headers)
