"""Small bar charts as inline SVG, drawn on the server (no JavaScript, no chart library)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD, LABEL = 420, 150, 4, 16


def bars(title: str, labels: Sequence[str], values: Sequence[float | None],
         fmt: Callable[[float], str] = lambda v: f"{v:g}", maximum: float | None = None) -> Markup:
    """One bar per label (None: no data that week, drawn as a gap); the value is written above each bar."""
    top = maximum if maximum is not None else max((v for v in values if v is not None), default=0.0) or 1.0
    slot = (WIDTH - 2 * PAD) / max(len(values), 1)
    inner = HEIGHT - 2 * LABEL - PAD
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = PAD + index * slot
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle" font-size="10">'
                     f'{escape(label)}</text>')
        if value is None:
            continue
        height = inner * (value / top) if top else 0.0
        y = LABEL + inner - height
        parts.append(f'<rect x="{x + 3:.1f}" y="{y:.1f}" width="{slot - 6:.1f}" height="{height:.1f}" '
                     f'fill="#0b5d7a"><title>{escape(label)}: {escape(fmt(value))}</title></rect>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10">'
                     f'{escape(fmt(value))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every text inside was escaped above


def hbars(title: str, rows: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars (the top intents): label left, bar and count right."""
    height = max(len(rows), 1) * 20 + 8
    top = max((n for _label, n in rows), default=1) or 1
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for index, (label, n) in enumerate(rows):
        y = 4 + index * 20
        width = (WIDTH - 200) * n / top
        parts.append(f'<text x="150" y="{y + 13}" text-anchor="end" font-size="11">{escape(label)}</text>'
                     f'<rect x="156" y="{y + 2}" width="{width:.1f}" height="14" fill="#0b5d7a"/>'
                     f'<text x="{160 + width:.1f}" y="{y + 13}" font-size="11">{n}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # every text inside was escaped above
