"""`ruta`'s main(): parse, build Settings, run the command, turn errors into exit codes."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from app.cli.output import EXIT_BUSY, EXIT_ERROR, EXIT_NOT_READY, EXIT_STORAGE, EXIT_USAGE
from app.cli.parser import build_parser
from app.settings import Settings
from index.errors import BadQuestion, IndexBusy, IndexNotReady
from ingest.errors import RutaError, StorageError, storage_error

log = logging.getLogger("ruta")

# The one mapping from domain errors to exit codes, most specific first.
EXIT_CODES: tuple[tuple[type[RutaError], int], ...] = (
    (BadQuestion, EXIT_USAGE),
    (IndexNotReady, EXIT_NOT_READY),
    (IndexBusy, EXIT_BUSY),
    (StorageError, EXIT_STORAGE),
    (RutaError, EXIT_ERROR),
)


def _settings(overrides: Sequence[str], **extra: object) -> Settings:
    values: dict[str, object] = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"ruta: --set takes KEY=VALUE, got {item!r}")
        values[key.strip()] = value
    values.update({k: v for k, v in extra.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]


def exit_code(exc: RutaError) -> int:
    return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
        import app.cli.commands as commands

        return int(getattr(commands, f"cmd_{args.command}")(settings, args))
    except ValidationError as exc:
        errs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"ruta: invalid setting: {errs}", file=sys.stderr)
        return EXIT_USAGE
    except RutaError as exc:
        print(f"ruta: {exc}", file=sys.stderr)
        return exit_code(exc)
    except OSError as exc:  # a full disk or a read-only folder met where no layer said so
        where = f"'{exc.filename}'" if exc.filename else "a file"
        problem = storage_error(exc, where, f"run `ruta {args.command}` again")
        if problem is None:
            raise
        print(f"ruta: {problem}", file=sys.stderr)
        return EXIT_STORAGE
    except KeyboardInterrupt:
        print("ruta: interrupted", file=sys.stderr)
        return 130
