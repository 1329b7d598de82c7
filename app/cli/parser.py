"""The `ruta` argument parser: one small function per command."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]

SET_HELP = "override a setting for this command, e.g. --set top_k=8"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ruta",
        description="Ruta: answers with checkable citations over the evidence on migration in "
        "Latin America and the Caribbean. Settings come from ruta.toml and RUTA_* variables; "
        "see the README for every setting.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens (debug level)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    after = _after_command()
    sub = p.add_subparsers(dest="command", required=True)
    for add in (_ingest, _chunks, _search, _ask, _eval, _serve, _feedback):
        add(sub, after)
    return p


def _after_command() -> argparse.ArgumentParser:
    """The same two options after the command too (`ruta eval Q --set top_k=8`); other dests,
    or a subcommand's defaults would overwrite what was given before it."""
    after = argparse.ArgumentParser(add_help=False)
    after.add_argument(
        "-v", "--verbose", dest="verbose_after", action="store_true", help="log more"
    )
    after.add_argument(
        "--set", dest="set_after", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP
    )
    return after


def _ingest(sub: Commands, after: argparse.ArgumentParser) -> None:
    s = sub.add_parser("ingest", parents=[after], help="load, clean, chunk and index the corpus")
    s.add_argument("--corpus", type=Path, help="corpus folder (default: corpus_dir setting)")
    s.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
    s.add_argument(
        "--allow-removals",
        action="store_true",
        help="let this run remove more than half of the indexed documents (an emptied corpus)",
    )
    s.add_argument(
        "--fetch-links",
        action="store_true",
        help="also download and index the documents the footnotes link to",
    )
    s.add_argument(
        "--wait",
        type=float,
        default=0.0,
        help="seconds to wait for another running ingestion (default: refuse at once)",
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")


def _chunks(sub: Commands, after: argparse.ArgumentParser) -> None:
    s = sub.add_parser("chunks", parents=[after], help="print the chunks the index will hold")
    s.add_argument("--doc", help="only this document id")
    s.add_argument(
        "--flagged",
        action="store_true",
        help="only the chunks holding instruction-like text (addressed to an assistant or a model)",
    )
    s.add_argument("--json", action="store_true", help="JSON lines instead of text")


def _search(sub: Commands, after: argparse.ArgumentParser) -> None:
    s = sub.add_parser("search", parents=[after], help="retrieve passages for a question")
    s.add_argument("question")
    s.add_argument("--k", type=int, default=5, help="how many passages (default 5)")
    s.add_argument("--doc", help="filter: document id")
    s.add_argument("--publisher", help="filter: publisher")
    s.add_argument("--kind", help="filter: kind (review, study, linked...)")
    s.add_argument("--json", action="store_true", help="print hits as JSON")


def _ask(sub: Commands, after: argparse.ArgumentParser) -> None:
    s = sub.add_parser("ask", parents=[after], help="answer a question with citations")
    s.add_argument("question")
    s.add_argument("--history", type=Path, help="JSON file: list of {role, content} turns")
    s.add_argument("--json", action="store_true", help="print the answer as JSON")


def _eval(sub: Commands, after: argparse.ArgumentParser) -> None:
    s = sub.add_parser(
        "eval",
        parents=[after],
        help="evaluate on a question set (JSONL or CSV); `eval compare A B`",
    )
    s.add_argument("questions", help="question set file, or 'compare' followed by two run dirs")
    s.add_argument("runs", nargs="*", help="with 'compare': RUN_A RUN_B")
    s.add_argument("--out", type=Path, help="output folder (default eval/runs/<timestamp>)")
    s.add_argument("--retrieval-only", action="store_true", help="skip answering")
    s.add_argument(
        "--baseline",
        action="store_true",
        help="also score the LlamaIndex default pipeline (eval/baseline.py)",
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument(
        "--judge",
        action="store_true",
        help="also ask the configured LLM (llamacpp when RUTA_LLM=extractive) whether each cited "
        "passage supports its sentence (optional; the core metrics need no model)",
    )


def _serve(sub: Commands, after: argparse.ArgumentParser) -> None:
    s = sub.add_parser("serve", parents=[after], help="serve the web chat and the HTTP API")
    s.add_argument("--host", help="bind address (default: host setting, 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default: port setting, 7860)")
    s.add_argument("--root-path", help="sub-path behind a reverse proxy, e.g. /ruta")


def _feedback(sub: Commands, after: argparse.ArgumentParser) -> None:
    s = sub.add_parser("feedback", parents=[after], help="feedback stored from the web chat")
    s.add_argument("action", choices=["export"])
    s.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
    s.add_argument("--out", type=Path, help="file to write (default: standard output)")
