"""Hand-written inline SVG charts, so report.html needs no plotting library and no network."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np

# Colour-blind-safe palette (Okabe & Ito); bars are told apart by colour and the legend.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
MARK_COLOURS = ("#D55E00", "#6A1B9A")  # dark enough to read as text on white
W, H = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 30, 64


def ms(v: float) -> str:
    """A latency with as many decimals as its size needs ("0.42", "3.1", "850")."""
    return f"{v:.0f}" if abs(v) >= 10 else f"{v:.1f}" if abs(v) >= 1 else f"{v:.2f}"


def _svg(body: list[str], title: str) -> str:
    # no xmlns attribute: inline SVG in HTML does not need it, and the report stays URL-free
    return (
        f'<svg viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{escape(title)}">'
        f'<text x="{W / 2}" y="18" text-anchor="middle" class="t">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def _y_axis(ticks: Sequence[float], top: float, fmt: str) -> list[str]:
    plot_h = H - TOP - BOTTOM
    out = []
    for t in ticks:
        y = TOP + plot_h * (1 - t / top) if top else H - BOTTOM
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{escape(format(t, fmt))}'
            "</text>"
        )
    return out


def bar_chart(
    groups: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str
) -> str:
    """Grouped bars on a 0–1 scale: one group per x label, one coloured bar per series.

    A missing value (None) leaves a gap rather than a zero bar, which would read as a failure.
    """
    if not groups or not series:
        return _svg([f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">no data</text>'], title)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    group_w = plot_w / len(groups)
    bar_w = group_w * 0.8 / len(series)
    body = _y_axis([0, 0.25, 0.5, 0.75, 1.0], 1.0, ".2f")
    for gi, group in enumerate(groups):
        x0 = LEFT + gi * group_w + group_w * 0.1
        for si, (name, values) in enumerate(series):
            v = values[gi]
            if v is None:
                continue
            h = plot_h * max(0.0, min(1.0, v))
            body.append(
                f'<rect x="{x0 + si * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{bar_w * 0.9:.1f}" height="{h:.1f}" fill="{PALETTE[si % len(PALETTE)]}">'
                f"<title>{escape(f'{group} · {name}: {v:.3f}')}</title></rect>"
            )
        body.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{H - BOTTOM + 14}" '
            f'text-anchor="middle">{escape(group)}</text>'
        )
    # legend along the bottom, wrapped onto a second row rather than cut at the edge
    rows: list[list[tuple[int, str, float]]] = [[]]
    x = float(LEFT)
    for si, (name, _) in enumerate(series):
        width = 24 + 7 * len(name)
        if rows[-1] and x + width - 10 > W - RIGHT:
            rows.append([])
            x = float(LEFT)
        rows[-1].append((si, name, x))
        x += width
    for ri, row in enumerate(rows):
        y = H - 22 - 15 * (len(rows) - 1 - ri)
        for si, name, x in row:
            body.append(
                f'<rect x="{x:.0f}" y="{y}" width="10" height="10" '
                f'fill="{PALETTE[si % len(PALETTE)]}"/>'
                f'<text x="{x + 14:.0f}" y="{y + 9}">{escape(name)}</text>'
            )
    return _svg(body, title)


def histogram(
    values: Sequence[float],
    title: str,
    marks: dict[str, float | None] | None = None,
    bins: int = 20,
) -> str:
    """Histogram of latencies in ms, with vertical lines at the marked values (p50, p95)."""
    vals = np.asarray([v for v in values if v is not None], dtype=float)
    if vals.size == 0:
        return _svg([f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">no data</text>'], title)
    lo, hi = float(vals.min()), float(vals.max())
    if hi <= lo:  # all equal: give the single bar some width
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(vals, bins=bins, range=(lo, hi))
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    top = int(counts.max())
    step = max(1, int(np.ceil(top / 4)))
    body = _y_axis(list(range(0, top + 1, step)), top, "d")

    def xpos(v: float) -> float:
        return LEFT + plot_w * (v - lo) / (hi - lo)

    for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        if not c:
            continue
        h = plot_h * c / top
        body.append(
            f'<rect x="{xpos(a):.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{max(1.0, xpos(b) - xpos(a) - 1):.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(f'{ms(a)}–{ms(b)} ms: {c}')}</title></rect>"
        )
    for v in np.linspace(lo, hi, 5):
        body.append(
            f'<text x="{xpos(v):.1f}" y="{H - BOTTOM + 14}" text-anchor="middle">'
            f"{escape(ms(v))}</text>"
        )
    body.append(
        f'<text x="{LEFT + plot_w / 2}" y="{H - BOTTOM + 30}" text-anchor="middle">ms</text>'
    )
    for i, (name, v) in enumerate((marks or {}).items()):
        if v is None:
            continue
        x = xpos(min(max(v, lo), hi))
        colour = MARK_COLOURS[i % len(MARK_COLOURS)]
        body.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="{colour}" '
            f'stroke-dasharray="4 3" stroke-width="2"/>'
            # near the right edge the label goes on the line's left so it stays in the picture
            f'<text x="{x + 3 if x < W * 0.8 else x - 3:.1f}" y="{TOP + 12 + 14 * i}" '
            f'fill="{colour}" text-anchor="{"start" if x < W * 0.8 else "end"}">'
            f"{escape(f'{name} {ms(v)} ms')}</text>"
        )
    return _svg(body, title)
