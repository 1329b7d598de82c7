"""Search filters: the documents, publishers or kinds a question is limited to, checked once."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from index.errors import BadQuestion
from ingest.types import Chunk

FILTER_KEYS = ("doc_id", "publisher", "kind")
# One value, or several (any of them): {"doc_id": ["a", "b"]} is "one of these documents".
FilterValue = str | tuple[str, ...]
Filters = dict[str, FilterValue]
FiltersIn = Mapping[str, str | Sequence[str] | None]


def checked(filters: FiltersIn | None, doc_ids: Collection[str]) -> Filters:
    """``filters`` without empty values, lists as tuples (one value as a plain string). An
    unknown key or an unknown document id is a BadQuestion that names the known ones: a typo
    would otherwise search nothing and answer "The documents do not say"."""
    out: Filters = {}
    for key, value in (filters or {}).items():
        if value is None:  # an option not given (`ruta search` without --doc)
            continue
        values = (value,) if isinstance(value, str) else tuple(dict.fromkeys(value))
        if not all(isinstance(v, str) for v in values):
            raise BadQuestion(f"filters.{key} must be a string or a list of strings")
        values = tuple(v for v in values if v)
        if values:
            out[key] = values[0] if len(values) == 1 else values
    bad = set(out) - set(FILTER_KEYS)
    if bad:
        raise BadQuestion(
            f"unknown filter {sorted(bad)}; use one of {list(FILTER_KEYS)}", code="unknown_filter"
        )
    unknown = [d for d in as_tuple(out.get("doc_id", ())) if d not in doc_ids]
    if unknown:
        raise BadQuestion(
            f"unknown document {', '.join(repr(d) for d in unknown)} in filters.doc_id; "
            f"the documents are: {', '.join(sorted(doc_ids))}",
            code="unknown_document",
        )
    return out


def as_tuple(value: FilterValue | tuple[()]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def matches(chunk: Chunk, filters: Mapping[str, FilterValue]) -> bool:
    return all(getattr(chunk, key) in as_tuple(value) for key, value in filters.items())


def chroma_where(filters: Mapping[str, FilterValue] | None) -> dict[str, Any] | None:
    """The filters as a Chroma ``where``: equality for one value, ``$in`` for several."""
    clauses: list[dict[str, Any]] = [
        {key: value if isinstance(value, str) else {"$in": list(value)}}
        for key, value in (filters or {}).items()
    ]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
