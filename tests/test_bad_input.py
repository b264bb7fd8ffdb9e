"""Bad input: a clear message with file and line (or focus node), exit 2, and the previous store untouched."""

from __future__ import annotations

from collections.abc import Callable

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
    "invalid IRI": (
        DOCUMENT, "    org:member dkg:armenia ;", "    org:member <http://example.org/two words> ;",
        "Turtle syntax error", "<http://example.org/two words>",
    ),
    "ill-typed literal (not a date)": (
        DOCUMENT, 'dip:startDate "2024-09-09"^^xsd:date', 'dip:startDate "abc"^^xsd:date',
        '"abc" is not a valid xsd:date (expected YYYY-MM-DD)', '"abc"^^xsd:date',
    ),
    "ill-typed literal (month 13)": (
        DOCUMENT, 'dip:startDate "2024-09-09"^^xsd:date', 'dip:startDate "2024-13-01"^^xsd:date',
        '"2024-13-01" is not a valid xsd:date', '"2024-13-01"^^xsd:date',
    ),
    "unknown property (typo)": (
        DOCUMENT, "    org:member dkg:armenia ;", "    org:member dkg:armenia ;\n    dip:memberof dkg:csto ;",
        "unknown property dip:memberof: the ontology does not define it; did you mean dip:memberOf?", "dip:memberof",
    ),
    "unknown class": (
        "data/reference/states.ttl", "dkg:armenia a dip:State ;", "dkg:armenia a dip:State, dip:Stat ;",
        "unknown class dip:Stat", "dip:Stat ;",
    ),
    "one entity under two IRIs": (
        "data/reference/states.ttl", "dkg:armenia a dip:State ;",
        'dkg:republic-of-armenia a dip:State ; rdfs:label "Armenia"@en .\ndkg:armenia a dip:State ;',
        "dkg:republic-of-armenia and dkg:armenia are both dip:State labelled “armenia”", "dkg:republic-of-armenia a",
    ),
    "one IRI with two labels": (
        "data/reference/states.ttl", "dkg:armenia a dip:State ;", 'dkg:armenia a dip:State ; rdfs:label "Armenien"@en ;',
        'dkg:armenia has two en labels, "Armenia" and "Armenien"', "dkg:armenia a dip:State",
    ),
    "evidence quote not in its source": (
        "data/documents/003_f209c9f0ec83d804.ttl", "diplomatic sources said on Sept. 7.",
        "diplomatic sources said on Sept. 8.", "the quote is not in its source 003_f209c9f0ec83d804.txt",
        "Türkiye and Armenia are set to take another step",
    ),
    "catalogued document whose text is missing": (
        "data/sources/catalog.ttl", 'dip:fileName "001_84b6ba9b7fd712b2.txt"', 'dip:fileName "001_missing.txt"',
        "doc:001_84b6ba9b7fd712b2 is catalogued, but its text 001_missing.txt is not in sources/", '"001_missing.txt"',
    ),
}


@pytest.mark.reliability("Bad input: a clear message, exit 2, store untouched", "{case}")
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


def _build_fails_and_keeps_the_store(project, tmp_path, breaking: Callable[[], object], **env: str) -> str:
    """Build, break the project, build again: exit 2, no traceback, the first store still published."""
    store = tmp_path / "store"
    assert diplokg("build", store=store, project=project).code == 0
    generation = store.resolve()
    breaking()
    failed = diplokg("build", store=store, project=project, env=env)
    assert failed.code == 2, failed.output
    assert_no_traceback(failed)
    assert store.resolve() == generation
    return failed.stderr


@pytest.mark.reliability("Bad input: a clear message, exit 2, store untouched", "a source text not in the catalogue")
def test_a_source_text_not_in_the_catalogue(project_copy, tmp_path):
    stray = project_copy / "data" / "sources" / "005_uncatalogued.txt"
    stderr = _build_fails_and_keeps_the_store(
        project_copy, tmp_path, lambda: stray.write_text("A text nobody catalogued.\n", encoding="utf-8"))
    assert "005_uncatalogued.txt: this source text is not in the catalogue" in stderr


@pytest.mark.reliability("Bad input: a clear message, exit 2, store untouched", "an encoding of a document the catalogue does not list")
def test_an_encoding_of_an_uncatalogued_document(project_copy, tmp_path):
    stray = project_copy / "data" / "documents" / "006_unknown.ttl"
    turtle = '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<https://w3id.org/diplokg/id/x> rdfs:label "x"@en .\n'
    stderr = _build_fails_and_keeps_the_store(project_copy, tmp_path, lambda: stray.write_text(turtle, encoding="utf-8"))
    assert "006_unknown.ttl: this encodes a document the catalogue does not list" in stderr


@pytest.mark.reliability("Bad input: a clear message, exit 2, store untouched", "a catalogued document without its encoding; a source text changed after cataloguing")
def test_a_catalogued_document_without_its_encoding_or_with_a_changed_text(project_copy, tmp_path):
    def breaking():
        (project_copy / "data" / "documents" / "004_1dc91400ebd56a40.ttl").unlink()
        with (project_copy / "data" / "sources" / "002_ec9d1e3fc129980f.txt").open("a", encoding="utf-8") as text:
            text.write("An added line.\n")

    stderr = _build_fails_and_keeps_the_store(project_copy, tmp_path, breaking)
    assert "doc:004_1dc91400ebd56a40 is catalogued but has no encoding; add documents/004_1dc91400ebd56a40.ttl" in stderr
    assert "002_ec9d1e3fc129980f.txt has changed since it was catalogued" in stderr


@pytest.mark.reliability("Bad input: a clear message, exit 2, store untouched", "a huge file (over the size limit)")
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(project_copy, tmp_path):
    huge = project_copy / "data" / "reference" / "huge.ttl"
    stderr = _build_fails_and_keeps_the_store(  # about 2 MiB against a limit of 1
        project_copy, tmp_path, lambda: huge.write_text("# padding\n" * 200_000, encoding="utf-8"), DIPLOKG_MAX_FILE_MB="1")
    assert "huge.ttl: the file is 1.9 MiB, over the limit of 1.0 MiB for one file; split it" in stderr


@pytest.mark.reliability("Bad input: a clear message, exit 2, store untouched", "several kinds of problem at once: validate reports them all")
def test_validate_reports_problems_of_every_kind_at_once(project_copy, tmp_path):
    for relative, old, new, *_ in (CASES["ill-typed literal (month 13)"], CASES["unknown class"],
                                   CASES["evidence quote not in its source"]):
        break_file(project_copy, relative, old, new)
    (project_copy / "data" / "reference" / "empty.ttl").write_text("\n")
    run = diplokg("validate", store=tmp_path / "store", project=project_copy)
    assert run.code == 2
    for message in ("4 problems", "empty.ttl: the file is empty", "is not a valid xsd:date", "unknown class dip:Stat",
                    "the quote is not in its source"):
        assert message in run.stderr, run.stderr


@pytest.mark.reliability("Bad input: a clear message, exit 2, store untouched", "SHACL violation: focus node and path")
def test_shacl_message_names_the_focus_node_and_path(project_copy, tmp_path):
    break_file(project_copy, DOCUMENT, "    org:member dkg:armenia ;\n", "")
    run = diplokg("build", store=tmp_path / "store", project=project_copy)
    assert "focus node: dkg:membership-armenia-csto-000" in run.stderr
    assert "path: org:member" in run.stderr


@pytest.mark.reliability("Bad input: a clear message, exit 2, store untouched", "Turtle syntax error: line and column")
def test_syntax_error_gives_line_and_column(project_copy, tmp_path):
    break_file(project_copy, DOCUMENT, "    org:member dkg:armenia ;", "    org:member nowhere:armenia ;")
    run = diplokg("build", store=tmp_path / "store", project=project_copy)
    line = line_of(project_copy, DOCUMENT, "nowhere:armenia")
    column = "    org:member nowhere:armenia".index("nowhere") + 1
    assert f"000_a2fe28b85ae602ee.ttl:{line}:{column}:" in run.stderr


@pytest.mark.reliability("Bad input: a clear message, exit 2, store untouched", "empty, non-UTF-8 and unparsable files together")
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
