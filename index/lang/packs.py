"""Language packs: each language's words, patterns and templates in one TOML file (en.toml,
es.toml, pt.toml, fr.toml beside this module), loaded once into frozen objects; the answering
core asks for an entry by its stable name ("stop", "kind.amount", "answer.near_miss").

An entry is a TOML table holding one of ``words`` (a list of words or phrases), ``pattern``
(a regular expression, for what a list of words cannot say), ``table`` (words to values) or
``text`` (a template), and the examples it must find (``match``) and must not (``no_match``);
``case = true`` makes it case-sensitive, ``weight`` is a number its user may read. Every
language has every entry: one that truly has none says so with an empty value.

``switch_off`` empties named entries for the whole process, as if no language had them: the
ablation (``python -m eval.ablate``) answers each set so, in a fresh process per entry, since
the answering core compiles what it reads from the packs when it is imported.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

PACK_DIR = Path(__file__).parent
_SHAPES = ("words", "pattern", "table", "text")
NEVER = "(?!)"  # the alternation of no words: matches nothing
# Entries switched off in this process ("kind.amount" in every language, "es:kind.amount" in
# one); see switch_off.
_off: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class Entry:
    """One named entry of one language's pack."""

    name: str
    lang: str
    words: tuple[str, ...] = ()
    pattern: str = ""
    table: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""
    case: bool = False  # case-sensitive
    weight: float = 0.0
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()
    compiled: re.Pattern[str] | None = None

    @property
    def shape(self) -> str:
        return next(s for s in _SHAPES if getattr(self, s)) if not self.empty else "empty"

    @property
    def empty(self) -> bool:
        return not (self.words or self.pattern or self.table or self.text)

    def finds(self, example: str) -> bool:
        """Whether the entry finds something in ``example``: its pattern matches, one of its
        words (a table's listed words, or its keys) stands in it as a word, or it is its template filled in."""
        if self.compiled is None:
            return False
        if self.text and not self.pattern:
            return bool(self.compiled.fullmatch(example))
        return bool(self.compiled.search(example))


@dataclass(frozen=True, eq=False)
class Pack:
    """One language: its code ('es'), its English name ('Spanish'), its entries by name."""

    code: str
    name: str
    order: int
    entries: Mapping[str, Entry]

    def __getitem__(self, name: str) -> Entry:
        return self.entries[name]


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """Words as a regex alternation, in their order; NEVER for none."""
    return "|".join(re.escape(w) for w in words) if words else NEVER


def _compile(entry: dict[str, Any], flags: int) -> re.Pattern[str] | None:
    if entry.get("pattern"):
        return re.compile(entry["pattern"], flags)
    words = list(entry.get("words") or _table_words(entry.get("table") or {}))
    if words:
        return re.compile(rf"(?<!\w)(?:{alternation(words)})(?!\w)", flags)
    if entry.get("text"):  # a template: '{subject}' and the like stand for anything
        return re.compile(re.sub(r"\\\{\w+\\\}", ".+?", re.escape(entry["text"])), flags | re.S)
    return None


def _table_words(table: dict[str, Any]) -> list[str]:
    """What a table finds in a text: the words its lists hold (a group of verbs: "liderar",
    "dirigir" …), or its keys when its values are not lists of words."""
    if table and all(isinstance(v, list) for v in table.values()):
        return [w for v in table.values() for w in v]
    return list(table)


def _entries(lang: str, data: dict[str, Any], prefix: str = "") -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for key, value in data.items():
        if not isinstance(value, dict):
            continue
        name = f"{prefix}{key}"
        if not any(s in value for s in _SHAPES):
            out.update(_entries(lang, value, f"{name}."))
            continue
        unknown = set(value) - {*_SHAPES, "case", "weight", "match", "no_match"}
        if unknown:
            raise ValueError(f"{lang}.toml: entry {name!r} has unknown keys {sorted(unknown)}")
        if name in _off or f"{lang}:{name}" in _off:
            value = {k: v for k, v in value.items() if k not in _SHAPES}
        flags = 0 if value.get("case") else re.IGNORECASE
        out[name] = Entry(
            name=name,
            lang=lang,
            words=tuple(value.get("words", ())),
            pattern=value.get("pattern", ""),
            table=MappingProxyType(dict(value.get("table", {}))),
            text=value.get("text", ""),
            case=bool(value.get("case", False)),
            weight=float(value.get("weight", 0.0)),
            match=tuple(value.get("match", ())),
            no_match=tuple(value.get("no_match", ())),
            compiled=_compile(value, flags),
        )
    return out


def load_pack(path: Path) -> Pack:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    code = data.get("code", path.stem)
    if code != path.stem:
        raise ValueError(f"{path.name}: code {code!r} must be the file's name")
    return Pack(code, data["name"], int(data["order"]), MappingProxyType(_entries(code, data)))


@dataclass(frozen=True, eq=False)
class Packs:
    """Every language's pack, in their ``order`` (English, the documents' language, first).
    Combined lookups give every language's material together, in that order."""

    packs: tuple[Pack, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.packs)

    def get(self, code: str) -> Pack | None:
        return next((p for p in self.packs if p.code == code), None)

    def entry(self, code: str, name: str) -> Entry:
        pack = self.get(code)
        if pack is None:
            raise KeyError(f"no language pack {code!r}; have {list(self.codes)}")
        return pack[name]

    @cache  # noqa: B019 - one Packs object lives for the process
    def words(self, name: str) -> tuple[str, ...]:
        """Every language's words of an entry, in pack order, without repeats."""
        return tuple(dict.fromkeys(w for p in self.packs for w in p[name].words))

    def alternation(self, name: str) -> str:
        """``words(name)`` as a regex alternation (NEVER when no language has any)."""
        return alternation(self.words(name))

    def source(self, name: str) -> str:
        """Every language's pattern of an entry as one alternation, in pack order (NEVER when
        no language has one): for building a larger pattern."""
        return "|".join(f"(?:{p[name].pattern})" for p in self.packs if p[name].pattern) or NEVER

    @cache  # noqa: B019
    def pattern(self, name: str) -> re.Pattern[str]:
        """``source(name)`` compiled, case-insensitive unless the entry says ``case = true``
        (``first_group`` reads the group of the language that matched)."""
        cases = {p[name].case for p in self.packs if p[name].pattern}
        if len(cases) > 1:
            raise ValueError(f"entry {name!r}: the languages disagree on case")
        return re.compile(self.source(name), 0 if cases == {True} else re.IGNORECASE)

    @cache  # noqa: B019
    def table(self, name: str) -> Mapping[str, Any]:
        """Every language's table of an entry merged (a later language adds, never replaces)."""
        out: dict[str, Any] = {}
        for p in self.packs:
            for k, v in p[name].table.items():
                out.setdefault(k, v)
        return MappingProxyType(out)

    def text(self, name: str, code: str, fallback: str = "en") -> str:
        """A language's text of an entry, or the fallback language's when it has none."""
        pack = self.get(code)
        got = pack[name].text if pack is not None else ""
        return got or self.entry(fallback, name).text


def first_group(m: re.Match[str]) -> str:
    """The group of a ``Packs.pattern`` match whose languages' patterns hold one group each:
    the one of the language that matched."""
    return next(g for g in m.groups() if g is not None)


def entry_names(directory: Path = PACK_DIR) -> tuple[str, ...]:
    """The names of the entries that decide something (words, a pattern or a table in some
    language; a template only says something), in pack order: what ``switch_off`` takes."""
    loaded = sorted((load_pack(p) for p in directory.glob("*.toml")), key=lambda p: p.order)
    names = (n for p in loaded for n, e in p.entries.items() if e.words or e.pattern or e.table)
    return tuple(dict.fromkeys(names))


def switch_off(*names: str) -> None:
    """Empty the named entries for this process: no words, no pattern, no table, no text, as
    in a language that has none. Entries are compiled where the answering core imports them,
    so this must come before anything reads the packs."""
    global _off
    if packs.cache_info().currsize:
        raise RuntimeError("the language packs are loaded already: switch entries off first")
    _check(names)
    _off = _off | frozenset(names)


@contextmanager
def switched_off(*names: str) -> Iterator[None]:
    """Inside the block, ``packs()`` loads afresh with the named entries empty; after it, as
    before. What has compiled the packs already keeps what it compiled: ``python -m
    eval.ablate`` imports the answering core afresh inside the block (eval/pack_row.py)."""
    global _off
    before = _off
    packs.cache_clear()
    try:
        _check(names)
        _off = _off | frozenset(names)
        yield
    finally:
        _off = before
        packs.cache_clear()


def _check(names: tuple[str, ...]) -> None:
    known = {n for p in PACK_DIR.glob("*.toml") for n in load_pack(p).entries}
    unknown = [n for n in names if n.split(":", 1)[-1] not in known]
    if unknown:
        raise KeyError(f"no language pack entry {unknown}; see index/lang/*.toml")


@cache
def packs(directory: Path = PACK_DIR) -> Packs:
    """The language packs of ``directory`` (every ``*.toml``), loaded once."""
    found = sorted((load_pack(p) for p in directory.glob("*.toml")), key=lambda p: p.order)
    if not found:
        raise FileNotFoundError(f"no language packs (*.toml) in {directory}")
    return Packs(tuple(found))
