"""The `ruta` command: ingest, chunks, search, ask, eval, serve, feedback. A thin edge over the core."""

from __future__ import annotations

from app.cli.main import main

__all__ = ["main"]
