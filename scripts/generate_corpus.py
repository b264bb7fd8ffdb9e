"""Write a synthetic diplokg project of any size, deterministically from a seed.

    python scripts/generate_corpus.py OUT --documents 1000 [--seed 1]

OUT receives a complete project: ontology/ and queries/ copied from this
repository, and data/ with reference entities (states with ISO codes,
organisations with acronyms, people, posts, organs, nested places, shared
conflicts), one source text per document with its catalog entry and SHA-256,
and one encoded Turtle file per document following docs/encoding-guide.md:
meetings with the officials who represent states, tenures, memberships with
statuses and periods, claims, agreements, conflicts, initiatives, planned
events, mediation offers and bilateral relations, every fact quoting a
sentence of its source verbatim. OUT/bench-params.json lists representative
parameters for every canned query, and the copied queries' defaults are set to
the first of them, so every canned query answers as-is.

Every canned query answers from 4 documents up (its parameterised ones from 1).
The same seed and size give byte-identical output. Each document draws from
its own random stream, so document N reads the same at every corpus size
(given the same world); the world (states, people, places) grows with size.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import random
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "src"))
from diplokg.canned import parse_canned  # noqa: E402 - the script runs from a checkout too
PREFIXES = """@prefix dip:  <https://w3id.org/diplokg/ontology#> .
@prefix dkg:  <https://w3id.org/diplokg/id/> .
@prefix doc:  <https://w3id.org/diplokg/id/document/> .
@prefix dks:  <https://w3id.org/diplokg/status/> .
@prefix dket: <https://w3id.org/diplokg/event-type/> .
@prefix dkas: <https://w3id.org/diplokg/agreement-status/> .
@prefix dkt:  <https://w3id.org/diplokg/topic/> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""

_ONSETS = ["b", "d", "k", "l", "m", "n", "r", "s", "t", "v", "z", "br", "dr", "gr", "kr", "st", "tr", "zh"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ia"]
_FIRST_NAMES = ["Anna", "Boris", "Carmen", "Dmitri", "Elena", "Farid", "Greta", "Hakan", "Ines", "Jonas",
                "Karin", "Levan", "Maria", "Nikos", "Olga", "Pavel", "Rania", "Sergei", "Tamar", "Viktor"]
_TOPICS = {
    "security": "security and defence", "peace-process": "the peace process", "normalisation": "normalisation",
    "border-opening": "opening the border", "connectivity": "transport links",
    "economic-cooperation": "economic cooperation", "migration": "migration", "humanitarian": "humanitarian aid",
    "regional-cooperation": "regional cooperation", "visa-liberalisation": "visa liberalisation",
}
_MEETING_TYPES = ["bilateral-talks", "ministerial-meeting", "summit", "working-visit", "state-visit",
                  "consultation", "negotiation"]
_POSTS = [("HeadOfState", "President of {}"), ("HeadOfGovernment", "Prime Minister of {}"),
          ("ForeignMinister", "Minister of Foreign Affairs of {}"), ("DefenceMinister", "Minister of Defence of {}")]
_ORGANISATION_KINDS = ["MilitaryAlliance", "EconomicUnion", "PoliticalUnion", "InternationalOrganisation",
                       "RegionalFormat", "InternationalOrganisation"]
_AGREEMENT_KINDS = [("Treaty", "treaty"), ("Declaration", "declaration"), ("JointStatement", "joint statement"),
                    ("Deal", "deal"), ("Armistice", "armistice")]
_AGREEMENT_STATUSES = ["agreed", "signed", "ratified", "failed", "unfulfilled", "draft"]
_MEMBERSHIP_STATUSES = ["active", "active", "active", "suspended", "withdrawn", "applicant",
                        "considering-application"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_FIRST_DAY = datetime.date(2000, 1, 1)
_SPAN_DAYS = 25 * 365


def invented_name(index: int, syllables: int, ending: str = "") -> str:
    """A pronounceable name unique to ``index`` (its digits in a syllable base)."""
    base = len(_ONSETS) * len(_VOWELS)
    block = base ** syllables
    # A bijection within each block, so that consecutive indexes do not read alike.
    index = (index % block) * 97 % block + index // block * block
    parts = []
    for _ in range(syllables):
        index, digit = divmod(index, base)
        onset, vowel = divmod(digit, len(_VOWELS))
        parts.append(_ONSETS[onset] + _VOWELS[vowel])
    while index:
        index, digit = divmod(index - 1, len(_ONSETS))
        parts.append(_ONSETS[digit] + "a")
    return ("".join(parts) + ending).capitalize()


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def letters(index: int, width: int) -> str:
    code = ""
    for _ in range(width):
        index, digit = divmod(index, 26)
        code = chr(65 + digit) + code
    return code


def literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def date_text(day: datetime.date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


@dataclass
class Entity:
    iri: str  # prefixed name
    label: str


@dataclass
class State(Entity):
    cities: list[Entity] = field(default_factory=list)
    posts: list[Entity] = field(default_factory=list)
    ministry: Entity | None = None


@dataclass
class Organisation(Entity):
    acronym: str = ""
    kind: str = ""
    post: Entity | None = None


@dataclass
class Person(Entity):
    post: Entity | None = None
    actor: Entity | None = None


@dataclass
class World:
    """The shared entities the documents talk about; it grows with the corpus."""

    states: list[State]
    organisations: list[Organisation]
    people_by_post: dict[str, list[Person]]
    conflicts: dict[tuple[int, int], Entity]
    reference: dict[str, str]  # file name -> Turtle

    @property
    def people(self) -> list[Person]:
        return [p for holders in self.people_by_post.values() for p in holders]


def build_world(documents: int) -> World:
    state_count = min(180, 6 + documents // 4)
    organisation_count = max(6, state_count // 5)
    region_count = max(2, state_count // 8)
    cities_per_state = 2 + documents // (state_count * 20)
    people_count = max(4 * state_count + organisation_count, documents // 3)

    states_ttl, organisations_ttl, people_ttl, places_ttl, shared_ttl = [PREFIXES] * 5
    regions = [Entity(f"dkg:region-{slug(invented_name(i, 2, 'a'))}", invented_name(i, 2, "a") + " Region")
               for i in range(region_count)]
    for region in regions:
        places_ttl += f"{region.iri} a dip:GeopoliticalRegion ; rdfs:label {literal(region.label)}@en .\n"

    states: list[State] = []
    for i in range(state_count):
        name = invented_name(i, 2, "ia")
        state = State(f"dkg:{slug(name)}", name)
        for c in range(cities_per_state):
            city_name = invented_name(i * cities_per_state + c, 2, "grad" if c else "ovo")
            state.cities.append(Entity(f"dkg:{slug(city_name)}", city_name))
        province = Entity(f"dkg:{slug(name)}-province", f"Province of {invented_name(i, 2, 'ar')}")
        site = Entity(f"dkg:{slug(state.cities[0].label)}-palace", f"{state.cities[0].label} Palace")
        # Nesting: site → capital → state → region, and city → province → state.
        places_ttl += (
            f"{state.iri} dip:locatedIn {regions[i % region_count].iri} .\n"
            f"{province.iri} a dip:Region ; rdfs:label {literal(province.label)}@en ; dip:locatedIn {state.iri} .\n"
            f"{site.iri} a dip:Site ; rdfs:label {literal(site.label)}@en ; dip:locatedIn {state.cities[0].iri} .\n"
        )
        for c, city in enumerate(state.cities):
            container = state.iri if c == 0 else province.iri
            places_ttl += f"{city.iri} a dip:City ; rdfs:label {literal(city.label)}@en ; dip:locatedIn {container} .\n"
        state.cities.append(site)
        state.ministry = Entity(f"dkg:{slug(name)}-foreign-ministry", f"Ministry of Foreign Affairs of {name}")
        states_ttl += (
            f"{state.iri} a dip:State ; rdfs:label {literal(name)}@en ;\n"
            f"    skos:altLabel {literal('Republic of ' + name)}@en ;\n"
            f"    dip:iso3166Alpha2 {literal(letters(i, 2))} ; dip:iso3166Alpha3 {literal(letters(i, 3))} ;\n"
            f"    dip:capital {state.cities[0].iri} .\n"
            f"{state.ministry.iri} a dip:Ministry ; rdfs:label {literal(state.ministry.label)}@en ;"
            f" dip:organOf {state.iri} .\n"
        )
        for kind, pattern in _POSTS:
            post = Entity(f"dkg:{slug(pattern.format(name))}", pattern.format(name))
            state.posts.append(post)
            people_ttl += f"{post.iri} a dip:{kind} ; rdfs:label {literal(post.label)}@en ; dip:postFor {state.iri} .\n"
        states.append(state)
    for i in range(0, state_count - 1):
        # Neighbours along a ring of states; the symmetric direction is inferred.
        states_ttl += f"{states[i].iri} dip:sharesBorderWith {states[i + 1].iri} .\n"

    organisations: list[Organisation] = []
    for i in range(organisation_count):
        name = invented_name(i, 2, "") + " " + ["Pact", "Union", "Council", "Organisation", "Forum", "Assembly"][i % 6]
        acronym = "".join(w[0] for w in name.split()) + letters(i, 2)
        kind = _ORGANISATION_KINDS[i % len(_ORGANISATION_KINDS)]
        organisation = Organisation(f"dkg:{slug(name)}", name, acronym, kind)
        organisation.post = Entity(f"dkg:secretary-general-{slug(name)}", f"Secretary-General of the {name}")
        organisations_ttl += (
            f"{organisation.iri} a dip:{kind} ; rdfs:label {literal(name)}@en ; dip:acronym {literal(acronym)} .\n"
        )
        people_ttl += (
            f"{organisation.post.iri} a dip:InstitutionalOfficer ; rdfs:label {literal(organisation.post.label)}@en ;"
            f" dip:postFor {organisation.iri} .\n"
        )
        organisations.append(organisation)
    mediators = Entity(f"dkg:{slug(organisations[0].label)}-mediation-group", f"{organisations[0].label} Mediation Group")
    organisations_ttl += (
        f"{mediators.iri} a dip:MediationGroup ; rdfs:label {literal(mediators.label)}@en ;"
        f" dip:organOf {organisations[0].iri} .\n"
    )

    posts = [(post, state) for state in states for post in state.posts]
    posts += [(o.post, o) for o in organisations]
    people_by_post: dict[str, list[Person]] = {post.iri: [] for post, _ in posts}
    for i in range(people_count):
        post, actor = posts[i % len(posts)]
        name = f"{_FIRST_NAMES[i % len(_FIRST_NAMES)]} {invented_name(i // len(_FIRST_NAMES), 2, 'ov')}"
        person = Person(f"dkg:{slug(name)}", name, post, actor)
        people_by_post[post.iri].append(person)
        people_ttl += f"{person.iri} a dip:Person ; rdfs:label {literal(name)}@en .\n"

    conflicts = {}
    for i in range(0, state_count - 1, 3):
        a, b = states[i], states[i + 1]
        conflict = Entity(f"dkg:{slug(a.label)}-{slug(b.label)}-conflict", f"{a.label}–{b.label} conflict")
        conflicts[(i, i + 1)] = conflict
        shared_ttl += f"{conflict.iri} a dip:ProtractedConflict ; rdfs:label {literal(conflict.label)}@en .\n"

    reference = {"states.ttl": states_ttl, "organisations.ttl": organisations_ttl, "people.ttl": people_ttl,
                 "places.ttl": places_ttl, "shared-facts.ttl": shared_ttl}
    return World(states, organisations, people_by_post, conflicts, reference)


class DocumentWriter:
    """One document: its text, sentence by sentence, and the Turtle of the facts each sentence states."""

    def __init__(self, number: int, name: str):
        self.number = number
        self.name = name
        self.sentences: list[str] = []
        self.turtle: list[str] = [PREFIXES]
        self.catalog_entry = ""
        # canned query -> parameter sets this document gives an answer to
        self.answers: dict[str, list[dict[str, str]]] = {}

    def answers_for(self, query: str, **parameters: str) -> None:
        self.answers.setdefault(query, []).append(parameters)

    @property
    def text(self) -> str:
        return "\n".join(self.sentences) + "\n"

    def fact(self, iri: str, classes: str, label: str, sentence: str, properties: list[str],
             shared: bool = False) -> None:
        """A fact node with its label, properties and the sentence it comes from, quoted as evidence.

        A fact of this document gets the document's number in its label, as the real
        data names its source year, so two accounts of alike facts read apart;
        ``shared`` facts keep their reference label.
        """
        if sentence not in self.sentences:
            self.sentences.append(sentence)
        label = label if shared else f"{label} (article {self.number})"
        body = ";\n    ".join([f"rdfs:label {literal(label)}@en", *properties])
        self.turtle.append(
            f"{iri} a {classes} ;\n    {body} ;\n"
            f"    dip:evidence [ a dip:Evidence ; dip:source doc:{self.name} ; dip:quote {literal(sentence)} ] .\n"
        )


def write_document(world: World, number: int, total: int, seed: int) -> DocumentWriter:
    """Encode document ``number``: its text, its facts, its catalog entry."""
    rng = random.Random(f"{seed}:{number}")
    name = f"{number:06d}_{hashlib.sha256(f'{seed}:{number}'.encode()).hexdigest()[:16]}"
    doc = DocumentWriter(number, name)
    published = _FIRST_DAY + datetime.timedelta(days=number * _SPAN_DAYS // max(total, 1) + rng.randrange(7))
    states, organisations = world.states, world.organisations
    a_index = rng.randrange(len(states))
    b_index = (a_index + 1) % len(states) if rng.random() < 0.6 else rng.randrange(len(states))
    if b_index == a_index:
        b_index = (a_index + 1) % len(states)
    if number == 0:
        # Document 0 covers what parameterised queries need, so even a tiny corpus answers them:
        # states 0 and 1 share a conflict its agreement settles, and a state leaves a bloc.
        a_index, b_index = 0, 1
    state_a, state_b = states[a_index], states[b_index]
    third = states[(a_index + 2 + rng.randrange(len(states) - 2)) % len(states)] if len(states) > 2 else state_b
    kind = rng.randrange(len(_POSTS))
    person_a = rng.choice(world.people_by_post[state_a.posts[kind].iri])
    person_b = rng.choice(world.people_by_post[state_b.posts[kind].iri])
    met_on = published - datetime.timedelta(days=rng.randrange(1, 6))
    place = rng.choice(state_a.cities)
    topic = rng.choice(sorted(_TOPICS))
    organisation = rng.choice(organisations)
    n = f"{number:06d}"

    # A meeting of two officials, each holding a post of their state.
    meeting = f"dkg:event-{met_on.isoformat()}-{n}-meeting"
    sentence = (f"{person_a.label}, {person_a.post.label}, met {person_b.label}, {person_b.post.label},"
                f" in {place.label} on {date_text(met_on)} to discuss {_TOPICS[topic]}.")
    participants = [person_a.iri, person_b.iri] + ([state_a.iri, state_b.iri] if rng.random() < 0.5 else [])
    doc.fact(meeting, "dip:DiplomaticEvent", f"{person_a.label} meets {person_b.label} in {place.label}", sentence, [
        f"dip:eventType dket:{rng.choice(_MEETING_TYPES)}",
        f"dip:participant {', '.join(participants)}",
        f"dip:host {person_a.iri}",
        f"dip:place {place.iri}",
        f"dip:date {literal(met_on.isoformat())}^^xsd:date",
        f"dip:topic dkt:{topic}, {state_b.iri}",
        f"dip:outcome {literal('talks on ' + _TOPICS[topic])}",
    ])
    for person in (person_a, person_b):
        doc.fact(f"dkg:tenure-{slug(person.label)}-{n}", "dip:Tenure", f"{person.label}, {person.post.label}",
                 sentence, [f"dip:holder {person.iri}", f"dip:post {person.post.iri}",
                            f"dip:attestedOn {literal(met_on.isoformat())}^^xsd:date"])
    if kind == 2:
        doc.turtle.append(f"{person_a.iri} dip:counterpart {person_b.iri} .\n")
    for person in (person_a, person_b):
        doc.answers_for("person-events", person=person.iri)
        doc.answers_for("person-offices", person=person.iri)
        doc.answers_for("office-holders", actor=person.actor.iri)
        doc.answers_for("representatives", actor=person.actor.iri)
        doc.answers_for("entities-named", name=person.label.split()[-1])
    doc.answers_for("meetings-between", state=state_a.iri, other=state_b.iri)
    doc.answers_for("bilateral-relations", state=state_a.iri)
    doc.answers_for("state-timeline", state=state_b.iri)
    doc.answers_for("events-in-place", place=state_a.iri)
    doc.answers_for("events-on", date=met_on.isoformat())
    doc.answers_for("events-between", **{"from": met_on.replace(day=1).isoformat(), "to": met_on.isoformat()})
    doc.answers_for("document-facts", document=f"doc:{name}")

    # Shared conflicts are defined in the reference data; one document each tells their background.
    for k, ((i, j), conflict) in enumerate(sorted(world.conflicts.items())):
        if k % total == number:
            since = 1990 + k % 25
            doc.fact(conflict.iri, "dip:ProtractedConflict", conflict.label,
                     f"The conflict between {states[i].label} and {states[j].label} has continued since {since}.",
                     [f"dip:belligerent {states[i].iri}, {states[j].iri}",
                      f"dip:startDate {literal(str(since))}^^xsd:gYear"], shared=True)

    if number % 2 == 0:
        doc.fact(f"dkg:event-{met_on.isoformat()}-{n}-press-conference", "dip:DiplomaticEvent",
                 f"Press conference of {person_a.label} and {person_b.label}",
                 f"After the talks, {person_a.label} and {person_b.label} held a joint press conference.",
                 ["dip:eventType dket:press-conference", f"dip:participant {person_a.iri}, {person_b.iri}",
                  f"dip:partOf {meeting}", f"dip:date {literal(met_on.isoformat())}^^xsd:date"])

    # A membership account, dated by the document.
    status = rng.choice(_MEMBERSHIP_STATUSES) if number else "suspended"
    if number == 0:
        organisation = organisations[0]  # a military alliance, so a bloc
    member = rng.choice((state_a, state_b))
    month = published.replace(day=1) - datetime.timedelta(days=1)
    relative = rng.random() < 0.3
    when = "last month" if relative else f"in {_MONTHS[month.month - 1]} {month.year}"
    sentences = {
        "active": f"{member.label} remains a member of the {organisation.label} ({organisation.acronym}).",
        "suspended": f"{member.label} suspended its participation in the {organisation.label} ({organisation.acronym}) {when}.",
        "withdrawn": f"{member.label} withdrew from the {organisation.label} {when}.",
        "applicant": f"{member.label} has applied to join the {organisation.label}.",
        "considering-application": f"{member.label} is considering applying to join the {organisation.label}.",
    }
    period = []
    if status in ("suspended", "withdrawn"):
        derivation = ("; dip:dateAsWritten \"last month\" ; dip:dateDerivation "
                      + literal(f"Resolved against the document's date, {published.isoformat()}: 'last month' is "
                                f"{_MONTHS[month.month - 1]} {month.year}.")) if relative else ""
        period = [f"org:memberDuring [ a time:Interval ; dip:startDate "
                  f"{literal(f'{month.year}-{month.month:02d}')}^^xsd:gYearMonth {derivation} ]"]
    doc.answers_for("memberships", state=member.iri)
    doc.answers_for("organisation-members", organisation=organisation.iri)
    if status in ("suspended", "withdrawn") and organisation.kind in ("MilitaryAlliance", "EconomicUnion", "PoliticalUnion"):
        doc.answers_for("alliances-left", state=member.iri)
    doc.fact(f"dkg:membership-{slug(member.label)}-{slug(organisation.acronym)}-{n}", "dip:Membership",
             f"{member.label} in the {organisation.acronym}: {status}", sentences[status], [
                 f"org:member {member.iri}", f"org:organization {organisation.iri}",
                 f"dip:membershipStatus dks:{status}", *period])

    # What one of them said, about an organisation or a state.
    subject = rng.choice((organisation.iri, state_a.iri))
    quotation = f"We are ready to work with all partners on {_TOPICS[topic]}"
    claim = [f"dip:claimant {person_b.iri}", f"dip:content {literal('Ready to work with all partners on ' + _TOPICS[topic] + '.')}",
             f"dip:quotation {literal(quotation)}", f"dip:about {subject}", f"dip:topic dkt:{topic}",
             f"dip:madeDuring {meeting}", f"dip:date {literal(met_on.isoformat())}^^xsd:date"]
    if number % 2 == 1:
        claim += [f"dip:conflictsWith dkg:claim-{number - 1:06d}",
                  f"skos:editorialNote {literal('Differs from the account of the previous document.')}"]
        doc.answers_for("conflicting-claims", subject=subject)
    doc.answers_for("person-statements", person=person_b.iri)
    doc.answers_for("claims-about", subject=subject)
    doc.fact(f"dkg:claim-{n}", "dip:Claim", f"{person_b.label} on {_TOPICS[topic]}",
             f"“{quotation},” {person_b.label} said.", claim)

    if number % 3 == 0:
        agreement_class, agreement_word = rng.choice(_AGREEMENT_KINDS)
        conflict = world.conflicts.get((min(a_index, b_index), max(a_index, b_index)))
        commitment = f"cooperate on {_TOPICS[topic]}"
        doc.answers_for("state-agreements", state=state_a.iri)
        if third is not state_b:
            doc.answers_for("mediators", state=state_a.iri, other=state_b.iri)
        if conflict:
            doc.answers_for("conflict-agreements", conflict=conflict.iri)
        doc.fact(f"dkg:agreement-{met_on.isoformat()}-{n}", f"dip:{agreement_class}",
                 f"{state_a.label}–{state_b.label} {agreement_word} of {met_on.isoformat()}",
                 f"{state_a.label} and {state_b.label} signed a {agreement_word} in {place.label} on "
                 f"{date_text(met_on)}, brokered by {third.label}, committing to {commitment}.", [
                     f"dip:party {state_a.iri}, {state_b.iri}", f"dip:brokeredBy {third.iri}",
                     f"dip:agreementStatus dkas:{rng.choice(_AGREEMENT_STATUSES)}",
                     f"dip:commitment {literal(commitment)}", f"dip:date {literal(met_on.isoformat())}^^xsd:date",
                     f"dip:place {place.iri}", f"dip:signedAt {meeting}",
                     *([f"dip:settles {conflict.iri}"] if conflict else [])])

    if number % 4 == 1:
        deaths = rng.randrange(1, 60)
        attack = rng.choice(("MilitaryAttack", "BorderIncident"))
        conflict = world.conflicts.get((min(a_index, b_index), max(a_index, b_index)))
        doc.fact(f"dkg:attack-{met_on.isoformat()}-{n}", f"dip:{attack}",
                 f"Attack by {state_b.label} near {place.label}",
                 f"About {deaths} people were killed when forces of {state_b.label} attacked positions of "
                 f"{state_a.label} near {place.label} on {date_text(met_on)}.", [
                     f"dip:belligerent {state_a.iri}, {state_b.iri}", f"dip:aggressor {state_b.iri}",
                     f"dip:target {state_a.iri}", f"dip:deaths {deaths}", 'dip:figureQualifier "about"',
                     "dip:eventType dket:military-force", f"dip:place {place.iri}",
                     f"dip:date {literal(met_on.isoformat())}^^xsd:date",
                     *([f"dip:partOf {conflict.iri}"] if conflict else [])])

    if number % 5 == 2:
        initiative, word = rng.choice((("ObserverMission", "an observer mission"),
                                       ("ProposedInitiative", "a joint commission"),
                                       ("SupportPackage", "a support package")))
        doc.fact(f"dkg:initiative-{n}", f"dip:{initiative}", f"{organisation.acronym} {word[word.index(' ') + 1:]} for {state_a.label}",
                 f"The {organisation.label} proposed {word} for {state_a.label}.", [
                     f"dip:proposedBy {organisation.iri}", f"dip:deployedBy {organisation.iri}",
                     f"dip:beneficiary {state_a.iri}", f"dip:topic dkt:{topic}"])

    if number % 7 == 3:
        planned = published.replace(day=28) + datetime.timedelta(days=7)
        city = rng.choice(state_b.cities)
        doc.fact(f"dkg:event-{planned.year}-{planned.month:02d}-{n}-planned-summit", "dip:DiplomaticEvent, dip:PlannedEvent",
                 f"Planned {state_a.label}–{state_b.label} summit in {city.label}",
                 f"{state_a.label} and {state_b.label} plan to hold a summit in {city.label} in "
                 f"{_MONTHS[planned.month - 1]} {planned.year}.", [
                     "dip:eventType dket:summit", f"dip:participant {state_a.iri}, {state_b.iri}",
                     f"dip:place {city.iri}", f"dip:date {literal(f'{planned.year}-{planned.month:02d}')}^^xsd:gYearMonth"])

    if number % 6 == 4 and third is not state_b:
        mediator = rng.choice(world.people_by_post[third.posts[2].iri])
        sentence = f"{mediator.label}, {mediator.post.label}, offered to mediate between {state_a.label} and {state_b.label}."
        doc.answers_for("mediators", state=state_a.iri, other=state_b.iri)
        doc.fact(f"dkg:event-{met_on.isoformat()}-{n}-mediation-offer", "dip:DiplomaticEvent",
                 f"{mediator.label} offers to mediate between {state_a.label} and {state_b.label}", sentence, [
                     "dip:eventType dket:mediation-offer", f"dip:participant {mediator.iri}, {state_a.iri}, {state_b.iri}",
                     f"dip:date {literal(met_on.isoformat())}^^xsd:date"])
        doc.fact(f"dkg:tenure-{slug(mediator.label)}-{n}", "dip:Tenure", f"{mediator.label}, {mediator.post.label}",
                 sentence, [f"dip:holder {mediator.iri}", f"dip:post {mediator.post.iri}",
                            f"dip:attestedOn {literal(met_on.isoformat())}^^xsd:date"])

    if number % 8 == 5:
        years = 20 + rng.randrange(15)
        doc.fact(f"dkg:relations-{slug(state_a.label)}-{slug(state_b.label)}-{n}", "dip:BilateralRelation",
                 f"{state_a.label}–{state_b.label} relations",
                 f"{state_a.label} and {state_b.label} established diplomatic relations {years} years ago.", [
                     f"dip:party {state_a.iri}, {state_b.iri}", 'dip:relationKind "diplomatic relations"',
                     f"dip:established {literal(str(published.year - years))}^^xsd:gYear",
                     f'dip:dateAsWritten "{years} years ago"',
                     "dip:dateDerivation " + literal(f"{published.year} (the document's year) minus {years} years.")])

    if number % 5 == 0:
        date_lines = (f"    dip:inferredPublicationDate {literal(f'{published.year}-{published.month:02d}')}^^xsd:gYearMonth ;\n"
                      "    dip:dateDerivation \"The text states no date; its latest event dates it.\" ;\n")
    else:
        date_lines = f"    dip:publicationDate {literal(published.isoformat())}^^xsd:date ;\n"
    catalog = (
        f"doc:{name} a dip:SourceDocument ;\n"
        f"    dcterms:title {literal(f'{state_a.label} and {state_b.label} talk {_TOPICS[topic]}')}@en ;\n"
        f"    rdfs:label {literal(f'Synthetic article {number}')}@en ;\n"
        f"    dcterms:language \"en\" ;\n    dip:fileName {literal(name + '.txt')} ;\n"
        f"    dip:sha256 {literal(hashlib.sha256(doc.text.encode()).hexdigest())} ;\n{date_lines}.\n"
    )
    doc.catalog_entry = catalog
    return doc


def representative_parameters(world: World, answers: dict[str, list[dict[str, str]]],
                              seed: int, per_query: int = 5) -> dict[str, list[dict[str, str]]]:
    """Several parameter sets per canned query, each one the corpus answers, chosen by seed."""
    rng = random.Random(f"{seed}:parameters")
    chosen = {}
    for query, candidates in sorted(answers.items()):
        distinct = sorted({json.dumps(c, sort_keys=True) for c in candidates})
        chosen[query] = [json.loads(rng.choice(distinct)) for _ in range(per_query)]
    chosen["neighbours"] = [{"state": rng.choice(world.states[:-1]).iri} for _ in range(per_query)]
    return chosen


def set_query_defaults(queries: Path, parameters: dict[str, list[dict[str, str]]]) -> None:
    """Make each copied canned query's defaults name entities of this corpus, so it runs as-is.

    The defaults appear twice: in the `# param:` header and in the VALUES
    block that opens the WHERE clause (as a prefixed name, or a quoted literal).
    """
    for path in sorted(queries.glob("*.rq")):
        query = parse_canned(path)
        if not query.parameters:
            continue
        chosen = parameters[query.name][0]
        text = path.read_text(encoding="utf-8")
        values = re.search(r"VALUES\s*[^{]*\{[^{}]*\}", text)
        block = values.group(0)
        for parameter in query.parameters:
            new = chosen[parameter.name]
            if parameter.is_literal:
                block = block.replace(f'"{parameter.default}"', literal(new), 1)
            else:
                block = re.sub(rf"(?<![\w:]){re.escape(parameter.default)}(?![\w-])", new, block, count=1)
        text = text[:values.start()] + block + text[values.end():]
        for parameter in query.parameters:
            text = re.sub(rf"(# param: {parameter.name} \S+ default=)\S+",
                          lambda m: m.group(1) + chosen[parameter.name], text, count=1)
        path.write_text(text, encoding="utf-8")


def generate(out: Path, documents: int, seed: int = 1) -> Path:
    """Write the project to ``out`` (which must not exist, or be empty)."""
    if documents < 1:
        raise ValueError("--documents must be at least 1")
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; choose a new folder")
    for folder in ("ontology", "queries"):
        shutil.copytree(REPOSITORY / folder, out / folder)
    world = build_world(documents)
    reference = out / "data" / "reference"
    sources = out / "data" / "sources"
    encoded = out / "data" / "documents"
    for folder in (reference, sources, encoded):
        folder.mkdir(parents=True, exist_ok=True)
    for name, turtle in world.reference.items():
        (reference / name).write_text(turtle, encoding="utf-8")
    answers: dict[str, list[dict[str, str]]] = {}
    with open(sources / "catalog.ttl", "w", encoding="utf-8") as catalog:
        catalog.write(PREFIXES)
        for number in range(documents):
            doc = write_document(world, number, documents, seed)
            catalog.write(doc.catalog_entry)
            (sources / f"{doc.name}.txt").write_text(doc.text, encoding="utf-8")
            (encoded / f"{doc.name}.ttl").write_text("".join(doc.turtle), encoding="utf-8")
            for query, parameter_sets in doc.answers.items():
                answers.setdefault(query, []).extend(parameter_sets)
    parameters = representative_parameters(world, answers, seed)
    set_query_defaults(out / "queries", parameters)
    (out / "bench-params.json").write_text(json.dumps(parameters, indent=1, sort_keys=True), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--documents", type=int, default=100, help="number of documents (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    try:
        generate(args.out, args.documents, args.seed)
    except (ValueError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.documents} documents to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
