"""The CLI's commands: each turns parsed arguments into calls on the core and prints the result."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from app.cli.output import EXIT_PARTIAL, elapsed, emit_json
from app.rag.answer import search
from app.rag.serialize import answer_dict, hit_dict
from app.rag.types import Message
from app.services import Services, ingest_corpus, make_answerer
from app.settings import Settings
from index.errors import BadQuestion


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    done = ingest_corpus(
        Services(settings),
        corpus=args.corpus,
        fetch_links=args.fetch_links,
        rebuild=args.rebuild,
        progress=not args.quiet and sys.stderr.isatty(),
        wait_s=args.wait,
        allow_removals=args.allow_removals,
    )
    report, failures = done.report, done.failures
    for f in failures:
        print(f"FAILED  {f.path}: {f.reason}", file=sys.stderr)
    kept = f" ({len(report.kept)} kept their last good version)" if report.kept else ""
    flagged = [c for c in report.chunk_list if c.instructions]
    print(
        f"ingested {report.documents} documents, {report.chunks} chunks in {elapsed(started)}: "
        f"{len(report.added)} added, {len(report.replaced)} replaced, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
        f"{len(failures)} failed{kept}; {done.sentences} new sentence vectors; "
        f"{len(flagged)} chunks with instruction-like text"
    )
    for doc_id in report.kept:
        print(f"  {doc_id}: failed to load, its indexed version stays")
    for c in flagged:
        print(f"  {c.chunk_id}: instruction-like text, see `ruta chunks --flagged`")
    for doc_id, n in report.chunks_per_doc.items():
        print(f"  {doc_id}: {n} chunks")
    return EXIT_PARTIAL if failures else 0


def cmd_chunks(settings: Settings, args: argparse.Namespace) -> int:
    from index.referents import referent
    from ingest.chunk import chunk_document, count_tokens
    from ingest.pipeline import load_corpus

    docs, failures = load_corpus(settings.corpus_dir)
    for doc in docs:
        if args.doc and doc.doc_id != args.doc:
            continue
        previous = None
        for c in chunk_document(doc, settings.chunk_tokens, settings.chunk_max_tokens):
            # what the index adds to the passage: the name its opening refers back to
            refers_to, previous = referent(c, previous), c
            if args.flagged and not c.instructions:
                continue
            if args.json:
                print(
                    json.dumps(
                        {
                            **c.__dict__,
                            "links": list(c.links),
                            "instructions": list(c.instructions),
                            "tokens": count_tokens(c.text),
                            "refers_to": refers_to,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                print(
                    f"── {c.chunk_id}  [{c.section or '-'}]  chars {c.start}-{c.end}  "
                    f"{count_tokens(c.text)} tokens  page {c.page or '-'}"
                )
                for url in c.links:
                    print(f"   link: {url}")
                for phrase in c.instructions:
                    print(
                        f"   instruction-like text (never followed, quoted only if it answers): {phrase!r}"
                    )
                if refers_to:
                    print(f"   indexed with: ({refers_to})")
                print(c.text + "\n")
    for f in failures:
        print(f"FAILED  {f.path}: {f.reason}", file=sys.stderr)
    return EXIT_PARTIAL if failures else 0


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    if not 1 <= args.k <= 50:
        raise BadQuestion(f"--k must be between 1 and 50, got {args.k}")
    filters = {"doc_id": args.doc, "publisher": args.publisher, "kind": args.kind}
    retriever = Services(settings).retriever()
    limit = settings.max_question_chars
    hits = search(retriever, args.question, k=args.k, max_question_chars=limit, filters=filters)
    if args.json:
        emit_json([hit_dict(h) for h in hits])
        return 0
    for h in hits:
        print(f"{h.rank}. [{h.score:.4f}] {h.chunk.chunk_id} — {h.chunk.title} › {h.chunk.section}")
        print(
            "   " + h.chunk.text[:300].replace("\n", " ") + ("…" if len(h.chunk.text) > 300 else "")
        )
    return 0


def read_history(path: Path | None) -> list[Message]:
    if path is None:
        return []
    try:
        turns = json.loads(path.read_text(encoding="utf-8"))
        return [Message(t["role"], t["content"]) for t in turns]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadQuestion(
            f"--history {path}: expected a JSON list of {{role, content}}: {exc}"
        ) from exc


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    answerer = make_answerer(settings)
    history = read_history(args.history)
    if args.json:
        emit_json(answer_dict(answerer.answer(args.question, history)))
        return 0
    final = None
    for piece in answerer.stream(args.question, history):
        if isinstance(piece, str):
            sys.stdout.write(piece)
            sys.stdout.flush()
        else:
            final = piece
    if final is not None:
        if final.notice:
            print(f"\nNote: {final.notice}")
        print()
        for c in final.citations:
            where = " › ".join(p for p in (c.title, c.section) if p)
            page = f", p. {c.page}" if c.page else ""
            mark = "✓" if c.verified else " "
            print(f"[{c.n}] {mark} {where}{page}")
            print(f"     “{c.quote}”")
            if c.url:
                print(f"     {c.url}")
            for link in c.links:
                print(f"     link in this passage: {link}")
    return 0


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    from app.cli.evaluate import run_cli

    return run_cli(settings, args)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from app.http.server import serve

    serve(settings)
    return 0


def cmd_feedback(settings: Settings, args: argparse.Namespace) -> int:
    from app.feedback import FeedbackStore

    store = FeedbackStore(settings.data_dir / "feedback.sqlite")
    text = store.export(args.format)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
