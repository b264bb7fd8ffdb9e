"""HTTP content negotiation: pick the best format a client accepts, with the server's preference on ties."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Offer:
    media_type: str  # what a client may ask for
    fmt: str  # diplokg's name of the format (QueryResult.serialize, export)
    content_type: str  # what the response says it is


def _offers(*rows: tuple[str, str, str]) -> tuple[Offer, ...]:
    return tuple(Offer(*row) for row in rows)


# First offer = the default when a client sends no Accept or */*.
SOLUTION_OFFERS = _offers(
    ("application/sparql-results+json", "json", "application/sparql-results+json"),
    ("application/json", "json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
    ("application/xml", "xml", "application/sparql-results+xml"),
    ("text/csv", "csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values; charset=utf-8"),
    ("text/xml", "xml", "application/sparql-results+xml"),  # last: text/* means CSV
)
GRAPH_OFFERS = _offers(
    ("text/turtle", "ttl", "text/turtle; charset=utf-8"),
    ("application/x-turtle", "ttl", "text/turtle; charset=utf-8"),
    ("application/turtle", "ttl", "text/turtle; charset=utf-8"),
    ("application/n-triples", "nt", "application/n-triples"),
    ("text/plain", "nt", "application/n-triples"),
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/x-json+ld", "jsonld", "application/ld+json"),
    ("application/rdf+xml", "xml", "application/rdf+xml"),
)
HTML_OFFERS = _offers(("text/html", "html", "text/html; charset=utf-8"))
# A file suffix chooses the format as an Accept header would (for links and browsers).
SUFFIXES = {".json": "application/sparql-results+json", ".csv": "text/csv", ".tsv": "text/tab-separated-values",
            ".html": "text/html", ".ttl": "text/turtle", ".nt": "application/n-triples",
            ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml", ".srx": "application/sparql-results+xml"}


@dataclass(frozen=True)
class _Range:
    kind: str
    subtype: str
    quality: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches: 3 exact, 2 type/*, 1 */*, 0 not at all."""
        kind, _, subtype = media_type.partition("/")
        if self.kind == kind and self.subtype == subtype:
            return 3
        if self.kind == kind and self.subtype == "*":
            return 2
        return 1 if self.kind == "*" and self.subtype == "*" else 0


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for item in accept.split(","):
        media, *parameters = (part.strip() for part in item.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype:
            continue  # a malformed range counts as absent, as browsers and servers do
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(_Range(kind, subtype, quality))
    return ranges


def negotiate(accept: str | None, offers: tuple[Offer, ...]) -> Offer | None:
    """The offer the client prefers (its q-value, then our order), None when it accepts none of them."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    if not ranges:
        return offers[0]
    best: tuple[float, int] | None = None
    chosen = None
    for position, offer in enumerate(offers):
        # The most specific matching range decides the quality (RFC 9110, 12.5.1).
        matching = [(r.matches(offer.media_type), r.quality) for r in ranges if r.matches(offer.media_type)]
        if not matching:
            continue
        quality = max(matching)[1]
        if quality > 0 and (best is None or quality > best[0]):
            best, chosen = (quality, position), offer
    return chosen


def offer_for_format(fmt: str, offers: tuple[Offer, ...]) -> Offer | None:
    return next((offer for offer in offers if offer.fmt == fmt), None)
