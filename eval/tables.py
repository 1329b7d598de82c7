"""Plain-text tables for the terminal: columns padded to their widest cell, a rule under the head."""

from __future__ import annotations


def text_table(rows: list[list[str]], numbers_right: bool = True) -> list[str]:
    """The rows as lines. ``numbers_right``: the first column (names) left-aligned, the rest
    right-aligned (numbers); otherwise every column left-aligned."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = [
        "  ".join(
            c.rjust(w) if numbers_right and i > 0 else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]
    out.insert(1, "  ".join("-" * w for w in widths))
    return out
