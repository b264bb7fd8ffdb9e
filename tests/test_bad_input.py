"""Bad input: a clear message with file and line (or focus node), exit 2, and the previous store untouched."""

from __future__ import annotations

import pytest

from conftest import assert_no_traceback, diplokg

DOCUMENT = "data/documents/000_a2fe28b85ae602ee.ttl"


def break_file(project, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(project, relative: str, needle: str) -> int:
    lines = (project / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


CASES = {
    "turtle syntax error": (
        DOCUMENT, "    org:organization dkg:csto ;", "    org:organization dkg:csto ;;; ]]",
        "Turtle syntax error", "org:organization dkg:csto ;;; ]]",
    ),
    "undeclared prefix": (
        DOCUMENT, "    org:member dkg:armenia ;", "    org:member nowhere:armenia ;",
        "The prefix nowhere: has not been declared", "nowhere:armenia",
    ),
    "OWL inconsistency (disjoint classes)": (
        "data/reference/states.ttl", "dkg:armenia a dip:State ;", "dkg:armenia a dip:State, dip:Person ;",
        "which are disjoint (owl:disjointWith)", "dkg:armenia a dip:State, dip:Person ;",
    ),
    "SHACL violation": (
        DOCUMENT, "    org:member dkg:armenia ;\n", "",
        "a membership needs exactly one org:member", "dkg:membership-armenia-csto-000 a dip:Membership",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_and_the_previous_store_still_answers(project_copy, tmp_path, case):
    relative, old, new, message, locating_text = CASES[case]
    store = tmp_path / "store"
    assert diplokg("build", store=store, project=project_copy).code == 0
    before = diplokg("ask", "alliances-left", "--format", "csv", store=store, project=project_copy)
    assert before.code == 0
    generation = store.resolve()

    break_file(project_copy, relative, old, new)
    expected_line = line_of(project_copy, relative, locating_text)
    run = diplokg("build", store=store, project=project_copy)

    assert run.code == 2
    assert message in run.stderr
    assert f"{relative.split('/')[-1]}:{expected_line}" in run.stderr, run.stderr
    assert_no_traceback(run)
    assert store.resolve() == generation, "a failed build publishes nothing"
    after = diplokg("ask", "alliances-left", "--format", "csv", store=store, project=project_copy)
    assert after.stdout == before.stdout


def test_shacl_message_names_the_focus_node_and_path(project_copy, tmp_path):
    break_file(project_copy, DOCUMENT, "    org:member dkg:armenia ;\n", "")
    run = diplokg("build", store=tmp_path / "store", project=project_copy)
    assert "focus node: dkg:membership-armenia-csto-000" in run.stderr
    assert "path: org:member" in run.stderr


def test_syntax_error_gives_line_and_column(project_copy, tmp_path):
    break_file(project_copy, DOCUMENT, "    org:member dkg:armenia ;", "    org:member nowhere:armenia ;")
    run = diplokg("build", store=tmp_path / "store", project=project_copy)
    line = line_of(project_copy, DOCUMENT, "nowhere:armenia")
    column = "    org:member nowhere:armenia".index("nowhere") + 1
    assert f"000_a2fe28b85ae602ee.ttl:{line}:{column}:" in run.stderr


def test_all_unreadable_files_are_reported_at_once(project_copy, tmp_path):
    break_file(project_copy, DOCUMENT, "    org:member dkg:armenia ;", "    org:member nowhere:armenia ;")
    (project_copy / "data" / "reference" / "empty.ttl").write_text("  \n")
    (project_copy / "data" / "reference" / "latin1.ttl").write_bytes(b'@prefix a: <urn:a#> .\na:b a:c "caf\xe9" .\n')
    run = diplokg("validate", store=tmp_path / "store", project=project_copy)
    assert run.code == 2
    assert "3 problems" in run.stderr
    assert "empty.ttl: the file is empty" in run.stderr
    assert "latin1.ttl:2: not valid UTF-8" in run.stderr
    assert "nowhere:" in run.stderr
    assert_no_traceback(run)


def test_validate_passes_on_the_real_data():
    run = diplokg("validate")
    assert run.code == 0, run.output
    assert "valid" in run.stderr
