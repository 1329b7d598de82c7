"""The `ruta` command: ingest, chunks, search, ask, eval, serve, feedback. A thin edge over the core."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from app.settings import Settings
from ingest.errors import BadQuestion, DocumentError, IndexBusy, IndexNotReady, RutaError

log = logging.getLogger("ruta")

EXIT_USAGE, EXIT_ERROR, EXIT_PARTIAL, EXIT_NOT_READY, EXIT_BUSY = 2, 1, 3, 4, 5


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ruta",
        description="Ruta: answers with checkable citations over the evidence on migration in "
        "Latin America and the Caribbean. Settings come from ruta.toml and RUTA_* variables; "
        "see the README for every setting.",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens (debug level)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting for this command, e.g. --set top_k=8",
    )
    # The same two options after the command too (`ruta eval Q --set top_k=8`); other dests,
    # or a subcommand's defaults would overwrite what was given before it.
    after = argparse.ArgumentParser(add_help=False)
    after.add_argument(
        "-v", "--verbose", dest="verbose_after", action="store_true", help="log more"
    )
    after.add_argument(
        "--set",
        dest="set_after",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a setting for this command, e.g. --set top_k=8",
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", parents=[after], help="load, clean, chunk and index the corpus")
    s.add_argument("--corpus", type=Path, help="corpus folder (default: corpus_dir setting)")
    s.add_argument("--rebuild", action="store_true", help="drop the index and build it anew")
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

    s = sub.add_parser("chunks", parents=[after], help="print the chunks the index will hold")
    s.add_argument("--doc", help="only this document id")
    s.add_argument("--json", action="store_true", help="JSON lines instead of text")

    s = sub.add_parser("search", parents=[after], help="retrieve passages for a question")
    s.add_argument("question")
    s.add_argument("--k", type=int, default=5, help="how many passages (default 5)")
    s.add_argument("--doc", help="filter: document id")
    s.add_argument("--publisher", help="filter: publisher")
    s.add_argument("--kind", help="filter: kind (review, study, linked...)")
    s.add_argument("--json", action="store_true", help="print hits as JSON")

    s = sub.add_parser("ask", parents=[after], help="answer a question with citations")
    s.add_argument("question")
    s.add_argument("--history", type=Path, help="JSON file: list of {role, content} turns")
    s.add_argument("--json", action="store_true", help="print the answer as JSON")

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
        help="also score the LlamaIndex default pipeline (bench/baseline.py)",
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument(
        "--judge",
        action="store_true",
        help="also ask the configured LLM (llamacpp when RUTA_LLM=extractive) whether each cited "
        "passage supports its sentence (optional; the core metrics need no model)",
    )

    s = sub.add_parser("serve", parents=[after], help="serve the web chat and the HTTP API")
    s.add_argument("--host", help="bind address (default: host setting, 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default: port setting, 7860)")
    s.add_argument("--root-path", help="sub-path behind a reverse proxy, e.g. /ruta")

    s = sub.add_parser("feedback", parents=[after], help="feedback stored from the web chat")
    s.add_argument("action", choices=["export"])
    s.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
    s.add_argument("--out", type=Path, help="file to write (default: standard output)")
    return p


def _settings(overrides: Sequence[str], **extra: object) -> Settings:
    values: dict[str, object] = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"ruta: --set takes KEY=VALUE, got {item!r}")
        values[key.strip()] = value
    values.update({k: v for k, v in extra.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.set = [*args.set, *args.set_after]
    args.verbose = args.verbose or args.verbose_after
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "chromadb", "sentence_transformers", "urllib3", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        extra = {}
        if args.command == "serve":
            extra = {"host": args.host, "port": args.port, "root_path": args.root_path}
        settings = _settings(args.set, **extra)
        from app import commands

        return int(getattr(commands, f"cmd_{args.command}")(settings, args))
    except ValidationError as exc:
        errs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"ruta: invalid setting: {errs}", file=sys.stderr)
        return EXIT_USAGE
    except BadQuestion as exc:
        print(f"ruta: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except IndexNotReady as exc:
        print(f"ruta: {exc}", file=sys.stderr)
        return EXIT_NOT_READY
    except IndexBusy as exc:
        print(f"ruta: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except (DocumentError, RutaError) as exc:
        print(f"ruta: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("ruta: interrupted", file=sys.stderr)
        return 130


def emit_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def elapsed(since: float) -> str:
    return f"{time.perf_counter() - since:.1f}s"


if __name__ == "__main__":
    sys.exit(main())
