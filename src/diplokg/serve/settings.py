"""The server's limits, importable without loading the web stack (the CLI shows their defaults)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServeSettings:
    """Limits with safe defaults; every one is a `diplokg serve` option."""

    timeout: float = 10.0  # seconds per SPARQL query, then its worker is killed
    max_rows: int = 100_000  # solutions or triples per answer
    max_body: int = 1_000_000  # bytes per request body
    workers: int = 2  # query worker processes
    allowed_services: tuple[str, ...] = ()  # SERVICE endpoints a query may call; none by default
