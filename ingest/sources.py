"""The corpus manifest: corpus/sources.toml entries, and metadata derived for files without one."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import ConfigError

MANIFEST = "sources.toml"


@dataclass(frozen=True)
class Source:
    """What the manifest says about one file (or what Ruta derives when it says nothing)."""

    id: str
    file: str
    title: str
    publisher: str = ""
    date: str = ""
    url: str = ""
    language: str = "en"
    kind: str = "document"
    cited_by: str = ""


def slug(text: str) -> str:
    """A stable, readable id from a file name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "doc"


def read_manifest(corpus_dir: Path) -> dict[str, Source]:
    """Entries keyed by file name (relative to corpus_dir)."""
    path = corpus_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    out: dict[str, Source] = {}
    known = set(Source.__dataclass_fields__)
    for i, entry in enumerate(data.get("source", []), start=1):
        unknown = set(entry) - known
        if unknown or "file" not in entry:
            problem = f"unknown keys {sorted(unknown)}" if unknown else "missing 'file'"
            raise ConfigError(f"{path}: source #{i}: {problem}")
        entry.setdefault("id", slug(Path(entry["file"]).stem))
        entry.setdefault("title", Path(entry["file"]).stem)
        out[entry["file"]] = Source(**{k: str(v) for k, v in entry.items()})
    return out


def derive_source(path: Path, corpus_dir: Path, title_hint: str = "") -> Source:
    """Metadata for a file the manifest does not describe."""
    rel = path.relative_to(corpus_dir).as_posix() if path.is_relative_to(corpus_dir) else path.name
    title = title_hint.strip() or path.stem.replace("_", " ").replace("-", " ").strip().capitalize()
    return Source(id=slug(Path(rel).with_suffix("").as_posix()), file=rel, title=title)
