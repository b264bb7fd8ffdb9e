"""Match a question in plain words to a canned query's declared question forms."""

from __future__ import annotations

from dataclasses import dataclass

from .canned import CannedQuery, question_pattern
from .errors import InputError
from .resolve import EntityResolver, ResolutionError
from .query import Term


@dataclass(frozen=True)
class Interpretation:
    """Which canned query a question was read as, and what its placeholders named."""

    query: CannedQuery
    form: str
    values: dict[str, str]
    terms: dict[str, Term]


class UnmatchedQuestion(InputError):
    pass


def interpret(question: str, catalog: list[CannedQuery], resolver: EntityResolver) -> Interpretation:
    """The most specific question form that matches and whose names all resolve."""
    candidates = [
        (query, form, match.groupdict())
        for query in catalog
        for form in query.questions
        if (match := question_pattern(form).match(question))
    ]
    if not candidates:
        forms = "\n".join(f"  {form}" for query in catalog for form in query.questions)
        raise UnmatchedQuestion(f"no canned query answers {question!r}. Questions diplokg can answer:\n{forms}")
    # A form with more fixed words is a more specific reading of the question.
    candidates.sort(key=lambda c: -len(question_pattern(c[1]).pattern))
    first_error: ResolutionError | None = None
    for query, form, values in candidates:
        try:
            terms = {name: resolver.term(query.parameter(name), value) for name, value in values.items()}
        except ResolutionError as error:
            first_error = first_error or error
            continue
        return Interpretation(query, form, values, terms)
    assert first_error is not None
    raise first_error
