"""The `diplokg` command: a thin layer over the pipeline and the Python API.

Exit codes: 0 success, 1 no result or a failed check, 2 bad input.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pyoxigraph as ox
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import api, pipeline
from .errors import DiplokgError, InputError, NoResult
from .export import FORMATS as EXPORT_FORMATS
from .export import SELECTIONS
from .namespaces import shorten
from .query import GRAPH_FORMATS, SOLUTION_FORMATS, QueryResult, Term
from .reason import ENGINES
from .serve.settings import ServeSettings
from .sheets import render_site

RESULT_FORMATS = ["table", *dict.fromkeys([*SOLUTION_FORMATS, *GRAPH_FORMATS])]
_MAX_TABLE_COLUMNS = 5
out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def store_options(command: Callable) -> Callable:
    """--store and --project, shared by every command that touches a store or the project."""
    command = click.option(
        "--project",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="DIPLOKG_PROJECT",
        help="Project folder holding ontology/, data/ and queries/ [default: current directory; env DIPLOKG_PROJECT].",
    )(command)
    return click.option(
        "--store",
        type=click.Path(path_type=Path),
        envvar="DIPLOKG_STORE",
        help="Store location [default: .diplokg/store; env DIPLOKG_STORE].",
    )(command)


def endpoint_option(command: Callable) -> Callable:
    """--endpoint on a command that can run against a remote store (the group's --endpoint works too)."""
    return click.option(
        "--endpoint",
        metavar="URL",
        envvar="DIPLOKG_ENDPOINT",
        help="Run against this SPARQL endpoint (after `diplokg push`) instead of the embedded store "
             "[env DIPLOKG_ENDPOINT].",
    )(command)


def _open(store: Path | None, project: Path | None, endpoint: str | None = None) -> api.KnowledgeGraph:
    """The graph a command works on: the command's --endpoint, else the group's, else the embedded store."""
    context = click.get_current_context()
    chosen = endpoint or (context.find_root().params.get("endpoint") if context else None)
    return api.open(store, project, endpoint=chosen)


def format_option(command: Callable) -> Callable:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(RESULT_FORMATS),
        help="Output format [default: table on a terminal; otherwise json for solutions, ttl for graphs].",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="diplokg")
@click.option("--endpoint", metavar="URL", envvar="DIPLOKG_ENDPOINT",
              help="query, ask, queries, sheets, export and stats run against this SPARQL endpoint "
                   "(after `diplokg push`) instead of the embedded store [env DIPLOKG_ENDPOINT].")
def cli(endpoint: str | None) -> None:
    """diplokg: a sourced, inferable knowledge graph of diplomatic relations.

    Build the graph from the project's ontology and documents, then ask it
    questions with canned queries or plain SPARQL.
    """


@cli.command()
@click.option("--reasoner", type=click.Choice(ENGINES), default="rules", show_default=True,
              help="OWL 2 RL engine: 'rules' (owlrl closes the schema, SPARQL rules the data) or 'owlrl' "
                   "(the reference reasoner on everything; slow). Both give the same closure.")
@store_options
def build(reasoner: str, store: Path | None, project: Path | None) -> None:
    """Load, validate, reason and store the graph; publish it atomically."""

    def announce(stage: str, seconds: float) -> None:
        err.print(f"[green]✓[/] {stage:<9} {seconds:7.2f} s")

    graph = api.build(store, project, on_stage=announce, engine=reasoner)
    report = graph.last_build
    table = Table(title=f"Built {report.store.link}", title_justify="left")
    table.add_column("graph")
    table.add_column("triples", justify="right")
    for graph_iri, count in report.triples_per_graph.items():
        table.add_row(shorten(graph_iri), f"{count:,}")
    table.add_row("[bold]asserted[/]", f"[bold]{report.asserted_triples:,}[/]")
    table.add_row("[bold]inferred[/]", f"[bold]{report.inferred.triples:,}[/]")
    err.print(table)
    err.print("timings: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in report.timings.items()))


@cli.command()
@store_options
def validate(store: Path | None, project: Path | None) -> None:
    """Check every input file, the SHACL shapes and OWL consistency, without building.

    Reports every problem found, not just the first. Exit 2 when there is any.
    """
    corpus = pipeline.check(api.open(store, project).project)
    err.print(f"[green]✓[/] {len(corpus.files)} files valid: syntax, vocabulary, literals, catalogue, quotes, "
              "shapes and OWL 2 RL consistency")


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), required=False)
@click.option("-e", "--expression", help="The query text, instead of a FILE ('-' reads standard input).")
@format_option
@endpoint_option
@store_options
def query(file, expression: str | None, fmt: str | None, endpoint: str | None, store: Path | None,
          project: Path | None) -> None:
    """Run a read-only SPARQL query over all graphs (updates are refused).

    The default graph is the union of all graphs; GRAPH reaches each named graph.
    """
    if (file is None) == (expression is None):
        raise InputError("give a query FILE or -e TEXT (one of them)")
    text = expression if expression is not None else file.read()
    result = _open(store, project, endpoint).query(text)
    _emit(result, fmt)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), help="Output format [default: table on a terminal, else json].")
@store_options
def queries(fmt: str | None, store: Path | None, project: Path | None) -> None:
    """List the canned queries: name, title, parameters with defaults, questions."""
    catalog = _open(store, project).catalog
    if (fmt or ("table" if out.is_terminal else "json")) == "json":
        click.echo(json.dumps([q.describe() for q in catalog], indent=2, ensure_ascii=False))
        return
    for query in catalog:
        out.print(f"[bold]{query.name}[/] — {escape(query.title)}")
        if query.description:
            out.print(f"  {escape(query.description)}")
        for param in query.parameters:
            out.print(f"  param [cyan]{param.name}[/] ({param.type}, default {escape(param.default)}): {escape(param.doc)}")
        for question in query.questions:
            out.print(f"  ? {escape(question)}")
        out.print()


@cli.command()
@click.argument("name_or_question")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value: an IRI, a prefixed name or a label. Repeatable.")
@format_option
@endpoint_option
@store_options
def ask(name_or_question: str, params: tuple[str, ...], fmt: str | None, endpoint: str | None, store: Path | None,
        project: Path | None) -> None:
    """Run a canned query by NAME, or answer a QUESTION in words.

    \b
    diplokg ask alliances-left --param state=Armenia
    diplokg ask "Which alliances did Armenia leave?"
    """
    values = dict(_split_param(p) for p in params)
    answer = _open(store, project, endpoint).ask(name_or_question, **values)
    # With a table the note is part of the human-readable answer; otherwise it
    # goes to stderr so stdout stays machine-readable.
    note = out if _chosen_format(answer.result, fmt) == "table" else err
    form = f", question form “{escape(answer.form)}”" if answer.form else ""
    note.print(f"[bold]{escape(answer.query.title)}[/] [dim](query {answer.query.name}{form})[/]")
    for name, term in answer.bindings.items():
        note.print(f"  {name} = {escape(_show(term))}")
    _emit(answer.result, fmt)


@cli.command(name="export")
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), required=True,
              help="RDF format; nq, trig and jsonld keep the named graphs.")
@click.option("--graphs", type=click.Choice(SELECTIONS), default="all", show_default=True,
              help="Asserted graphs only, the inferred graph only, or all.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write [default: standard output].")
@endpoint_option
@store_options
def export_command(fmt: str, graphs: str, output: Path | None, endpoint: str | None, store: Path | None,
                   project: Path | None) -> None:
    """Export the graph as RDF for other linked-data tools."""
    graph = _open(store, project, endpoint)
    if output is None:
        graph.export(fmt, sys.stdout.buffer, graphs)
        return
    partial = output.with_name(output.name + ".partial")
    with open(partial, "wb") as handle:
        graph.export(fmt, handle, graphs)
    partial.replace(output)
    err.print(f"[green]✓[/] wrote {output}")


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the site into (replaced atomically).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Pages rendered at once [default: one per CPU].")
@endpoint_option
@store_options
def sheets(output: Path, jobs: int | None, endpoint: str | None, store: Path | None, project: Path | None) -> None:
    """Write HTML fact sheets: a static site with a page per entity and the canned answers.

    Pages are filled by the SPARQL queries in queries/sections/ and the templates of
    diplokg; every fact cites its source sentence. The site works offline from file://.
    """
    report = render_site(_open(store, project, endpoint), output, jobs)
    counts = ", ".join(f"{count} {kind}" for kind, count in report.pages.items())
    err.print(f"[green]✓[/] wrote {report.out}: {escape(counts)} pages, index.html and questions.html")


@cli.command()
@endpoint_option
@store_options
def stats(endpoint: str | None, store: Path | None, project: Path | None) -> None:
    """Triples per graph and instances per class."""
    numbers = _open(store, project, endpoint).stats()
    for title, counts, column in (
        ("Triples per graph", numbers.triples_per_graph, "triples"),
        ("Instances per class (asserted and inferred)", numbers.instances_per_class, "instances"),
    ):
        table = Table(title=title, title_justify="left")
        table.add_column(title.split()[-1].rstrip(")").replace("inferred", "class"))
        table.add_column(column, justify="right")
        for key, count in counts.items():
            table.add_row(escape(shorten(key)), f"{count:,}")
        out.print(table)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; 0.0.0.0 exposes the server to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="TCP port.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=ServeSettings.timeout, show_default=True,
              help="Seconds a SPARQL query may run before it is stopped (503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=ServeSettings.max_rows, show_default=True,
              help="Most solutions or triples in one SPARQL answer (more: 400, add a LIMIT).")
@click.option("--max-body", type=click.IntRange(min=1), default=ServeSettings.max_body, show_default=True,
              help="Largest request body in bytes (more: 413).")
@click.option("--workers", type=click.IntRange(min=1), default=ServeSettings.workers, show_default=True,
              help="SPARQL query worker processes (queries running at once).")
@click.option("--allow-service", "allowed_services", multiple=True, metavar="URL",
              help="An endpoint SPARQL SERVICE may call; repeatable. Without it SERVICE is refused.")
@store_options
def serve(host: str, port: int, timeout: float, max_rows: int, max_body: int, workers: int,
          allowed_services: tuple[str, ...], store: Path | None, project: Path | None) -> None:
    """Serve the graph over HTTP: SPARQL endpoint, canned-query API, linked data, fact sheets.

    \b
    /sparql               SPARQL 1.1 Protocol, read-only, time- and size-limited
    /api/queries[/NAME]   canned queries: catalog, answers as JSON, CSV or HTML
    /id/..., /ontology    every diplokg IRI, by content negotiation
    /sheets/, /downloads/ fact sheets and full dumps

    A rebuild of the store is served as soon as it is published, without a restart.
    """
    from .serve import app as server  # the web stack loads only for this command

    graph = api.open(store, project)
    graph.location.manifest()  # fail now, with a clear message, when there is no store
    settings = ServeSettings(timeout, max_rows, max_body, workers, allowed_services)
    err.print(f"[green]✓[/] serving {graph.location.link} at http://{host}:{port}/ (Ctrl-C stops)")
    server.run(graph.location, graph.project, host, port, settings)


@cli.command()
@click.option("--endpoint", "push_endpoint", metavar="URL", required=True, envvar="DIPLOKG_ENDPOINT",
              help="The server's SPARQL query endpoint (to list the graphs already there).")
@click.option("--graph-store", metavar="URL",
              help="Its Graph Store Protocol endpoint [default: the --endpoint URL]; "
                   "Virtuoso: http://HOST:8890/sparql-graph-crud-auth.")
@click.option("--user", help="User name for HTTP Digest or Basic authentication.")
@click.option("--password", envvar="DIPLOKG_PASSWORD", help="Password [env DIPLOKG_PASSWORD].")
@store_options
def push(push_endpoint: str, graph_store: str | None, user: str | None, password: str | None,
         store: Path | None, project: Path | None) -> None:
    """Upload every named graph to a triple store (Graph Store Protocol PUT: replaces each graph).

    Afterwards `--endpoint URL` runs query, ask, sheets and export on that store.
    """
    from .remote import Credentials
    from .remote import push as push_graphs

    if (user is None) != (password is None):
        raise InputError("give --user and --password together")
    graph = api.open(store, project)
    credentials = Credentials(user, password) if user is not None and password is not None else None
    report = push_graphs(graph.store.quads_for_pattern(None, None, None, None), push_endpoint, graph_store, credentials)
    for graph_iri, count in report.triples_per_graph.items():
        err.print(f"[green]✓[/] {escape(shorten(graph_iri) if graph_iri else 'default graph')}: {count:,} triples")
    for graph_iri in report.removed:
        err.print(f"[yellow]-[/] removed {escape(shorten(graph_iri))} (no longer in the store)")
    err.print(f"pushed {len(report.triples_per_graph)} graphs to {escape(report.graph_store)}")


def _chosen_format(result: QueryResult, fmt: str | None) -> str:
    return fmt or ("table" if out.is_terminal else ("ttl" if result.kind == "graph" else "json"))


def _emit(result: QueryResult, fmt: str | None) -> None:
    chosen = _chosen_format(result, fmt)
    if chosen == "table":
        _print_table(result)
    else:
        sys.stdout.buffer.write(result.serialize(chosen))
        sys.stdout.buffer.flush()
    if result.is_empty():
        raise NoResult("no results")


def _print_table(result: QueryResult) -> None:
    if result.kind == "ask":
        out.print("yes" if result.boolean else "no")
        return
    if result.kind == "graph":
        out.print(escape(result.serialize("ttl").decode("utf-8")))
        return
    cells = [["" if term is None else escape(_show(term)) for term in row] for row in result.rows]
    if len(result.variables) <= _MAX_TABLE_COLUMNS:
        table = Table(show_lines=True)
        for name in result.variables:
            table.add_column(name, overflow="fold")
        for row in cells:
            table.add_row(*row)
        out.print(table)
    else:
        # Too many columns to read side by side: one block per row instead.
        width = max(map(len, result.variables))
        for number, row in enumerate(cells, start=1):
            out.print(f"[bold]── row {number} ──[/]")
            for name, value in zip(result.variables, row):
                if value:
                    out.print(f"[cyan]{name:>{width}}[/]  {value}")
    out.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}")


def _show(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return shorten(term.value).strip("<>")
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise InputError(f"--param takes NAME=VALUE, not {text!r}")
    return name.strip(), value


def main() -> None:
    """Entry point: run the CLI, turning diplokg errors into messages and exit codes."""
    # rdflib logs a traceback for each ill-typed literal it converts; the integrity
    # checks already report those literals with their file and line.
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(2 if isinstance(error, click.UsageError) else error.exit_code)
    except DiplokgError as error:
        err.print(f"[red]error:[/] {escape(str(error))}")
        sys.exit(error.exit_code)
    except OSError as error:
        err.print(f"[red]error:[/] {escape(str(error.strerror or error))} ({escape(str(error.filename or 'no file'))})")
        sys.exit(1)
