"""Charts for docs/performance.md, written as plain SVG (bench/report.py):
no plotting library, no fonts or scripts fetched, the same figures give
the same file. Two kinds: grouped horizontal bars (round trips per
operation) and line panels with min-max whiskers (time and memory against
the number of repositories)."""

import math
from html import escape

FONT = 'font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif"'
GRID = "#e3e3e3"
INK = "#222"
MUTED = "#666"


def _num(x):
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _ticks(top, want=5):
    """Round tick values from 0 to at least `top`."""
    if top <= 0:
        return [0, 1]
    raw = top / want
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10, 20) if m * mag >= raw)
    ticks, t = [], 0.0
    while t < top + step * 0.999:
        ticks.append(round(t, 6))
        t += step
    return ticks


def _text(x, y, s, size=12, anchor="start", color=INK, weight="normal"):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{color}" '
        f'font-weight="{weight}" {FONT}>{escape(str(s))}</text>'
    )


def _svg(width, height, body):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">\n<rect width="100%" height="100%" fill="white"/>\n'
        + "\n".join(body)
        + "\n</svg>\n"
    )


def hbars(title, rows, series, marker=None, note=""):
    """Grouped horizontal bars. `rows`: [(label, {series name: value}, marker
    value or None)]; `series`: [(name, colour)]; `marker`: the legend's name
    for the per-row marker (a vertical tick), e.g. "minimum". Rows whose
    label starts with "# " are section headings."""
    # Wide enough for the longest label at 11 px (about 6 px a character).
    longest = max([len(label) for label, _, _ in rows if not label.startswith("# ")] + [10])
    label_w, bar_h, gap, plot_w = max(200, int(longest * 6.2) + 24), 9, 7, 360
    top_v = max([v for _, vals, _ in rows for v in vals.values()] + [m or 0 for _, _, m in rows] + [1])
    counts = all(float(v).is_integer() for _, vals, _ in rows for v in vals.values())
    ticks = _ticks(top_v, (min(int(top_v), 8) or 1) if counts else 5)
    scale = plot_w / ticks[-1]
    x0, y = label_w, 58
    body = [_text(12, 22, title, 15, weight="bold")]
    if note:
        body.append(_text(12, 40, note, 11, color=MUTED))
    lx = x0
    for name, colour in series:
        body.append(f'<rect x="{lx}" y="{y - 12}" width="12" height="10" fill="{colour}"/>')
        body.append(_text(lx + 16, y - 3, name, 11))
        lx += 24 + 7 * len(name)
    if marker:
        body.append(f'<line x1="{lx + 6}" y1="{y - 14}" x2="{lx + 6}" y2="{y}" stroke="{INK}" stroke-width="2"/>')
        body.append(_text(lx + 12, y - 3, marker, 11))
    y += 14
    grid_top = y
    rows_svg = []
    for label, vals, mark in rows:
        if label.startswith("# "):
            y += 6
            rows_svg.append(_text(12, y + 11, label[2:], 12, weight="bold"))
            y += 18
            continue
        h = bar_h * len(series)
        rows_svg.append(_text(x0 - 8, y + h / 2 + 4, label, 11, anchor="end"))
        for i, (name, colour) in enumerate(series):
            v = vals.get(name)
            if v is None:
                continue
            by = y + i * bar_h
            rows_svg.append(
                f'<rect x="{x0}" y="{by:.1f}" width="{max(v * scale, 1):.1f}" height="{bar_h - 1}" fill="{colour}">'
                f"<title>{escape(label)}: {escape(name)} {_num(v)}</title></rect>"
            )
            rows_svg.append(_text(x0 + v * scale + 4, by + bar_h - 1.5, _num(v), 9, color=MUTED))
        if mark is not None:
            mx = x0 + mark * scale
            rows_svg.append(
                f'<line x1="{mx:.1f}" y1="{y - 2:.1f}" x2="{mx:.1f}" y2="{y + h + 1:.1f}" stroke="{INK}" stroke-width="2"/>'
            )
        y += h + gap
    for t in ticks:
        tx = x0 + t * scale
        body.append(f'<line x1="{tx:.1f}" y1="{grid_top}" x2="{tx:.1f}" y2="{y}" stroke="{GRID}"/>')
        body.append(_text(tx, y + 14, _num(t), 10, anchor="middle", color=MUTED))
    body += rows_svg
    return _svg(x0 + plot_w + 50, int(y + 24), body)


def line_panels(title, panels, note=""):
    """Side-by-side line charts sharing a title. Each panel: {"title",
    "x_label", "y_label", "series": [(name, colour, [(x, median, min, max)])]}."""
    pw, ph, ml, mt = 330, 220, 52, 84
    body = [_text(12, 22, title, 15, weight="bold")]
    if note:
        body.append(_text(12, 40, note, 11, color=MUTED))
    for p_i, panel in enumerate(panels):
        ox = 12 + p_i * (pw + ml + 40)
        xs = sorted({pt[0] for _, _, pts in panel["series"] for pt in pts})
        x_top = max(xs) if xs else 1
        y_top = max([pt[3] for _, _, pts in panel["series"] for pt in pts] + [1])
        xt, yt = _ticks(x_top, 5), _ticks(y_top, 5)
        sx = lambda x: ox + ml + x / xt[-1] * pw  # noqa: E731
        sy = lambda v: mt + ph - v / yt[-1] * ph  # noqa: E731
        body.append(_text(ox + ml, mt - 22, panel["title"], 12, weight="bold"))
        for t in yt:
            body.append(f'<line x1="{ox + ml}" y1="{sy(t):.1f}" x2="{ox + ml + pw}" y2="{sy(t):.1f}" stroke="{GRID}"/>')
            body.append(_text(ox + ml - 6, sy(t) + 4, _num(t), 10, anchor="end", color=MUTED))
        for t in xt:
            body.append(_text(sx(t), mt + ph + 15, _num(t), 10, anchor="middle", color=MUTED))
        body.append(f'<line x1="{ox + ml}" y1="{mt + ph}" x2="{ox + ml + pw}" y2="{mt + ph}" stroke="{MUTED}"/>')
        body.append(_text(ox + ml + pw / 2, mt + ph + 32, panel["x_label"], 11, anchor="middle"))
        body.append(
            f'<text transform="translate({ox + 12},{mt + ph / 2}) rotate(-90)" font-size="11" text-anchor="middle" '
            f'fill="{INK}" {FONT}>{escape(panel["y_label"])}</text>'
        )
        ly = mt + ph + 50
        for s_i, (name, colour, pts) in enumerate(panel["series"]):
            pts = sorted(pts)
            if pts:
                path = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(m):.1f}" for i, (x, m, _, _) in enumerate(pts))
                body.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for x, m, lo, hi in pts:
                body.append(
                    f'<line x1="{sx(x):.1f}" y1="{sy(lo):.1f}" x2="{sx(x):.1f}" y2="{sy(hi):.1f}" stroke="{colour}"/>'
                )
                body.append(
                    f'<circle cx="{sx(x):.1f}" cy="{sy(m):.1f}" r="3.5" fill="{colour}">'
                    f"<title>{escape(name)}: {x} repositories, {_num(m)} (min {_num(lo)}, max {_num(hi)})</title></circle>"
                )
            body.append(f'<line x1="{ox + ml}" y1="{ly + s_i * 16 - 4}" x2="{ox + ml + 18}" y2="{ly + s_i * 16 - 4}" '
                        f'stroke="{colour}" stroke-width="2"/>')
            body.append(_text(ox + ml + 24, ly + s_i * 16, name, 11))
    n_series = max(len(p["series"]) for p in panels)
    return _svg(12 + len(panels) * (pw + ml + 40), mt + ph + 50 + n_series * 16 + 6, body)
