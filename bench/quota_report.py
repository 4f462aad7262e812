"""The section of docs/performance.md on ECR's request quotas (issue 29),
from bench/measure.py's `quota` results: each command's time against the
quota-bound minimum, the refused share, ECR's contents after each step, the
provider's peak memory, and a chart of accepted and refused requests per
second over one run.

bench/report.py renders it as part of the whole document. Alone, it puts a
fresh measurement into an existing document (replacing the section, or
adding it before "## How to reproduce"), as bench/quota.sh does:

    python bench/quota_report.py QUOTA.json docs/performance.md
"""

import datetime
import json
import sys
from pathlib import Path

import svg

TITLE = "## At ECR's request quotas"
# Issue 29's bars: within 1.25x of the quota-bound minimum, under 10% refused,
# and the provider's peak memory within the 40 MiB target.
RATIO, REFUSED, PEAK_MIB = 1.25, 0.10, 40
ACCEPTED_COLOUR, REFUSED_COLOUR = "#2a6fdb", "#e07b39"


def verdict(steps, peak_kib):
    """Whether a run meets the bars: every step succeeded with ECR holding
    what it should, each within the ratio and the refused share, and the
    peak memory within its target."""
    ok = all(s["ok"] and s["repositories_after"] == s["expected_after"] for s in steps)
    fast = all(s["ratio"] is None or s["ratio"] <= RATIO for s in steps)
    few = all(s["refused_share"] < REFUSED for s in steps)
    small = peak_kib is not None and peak_kib / 1024 <= PEAK_MIB
    return ok, fast, few, small


def unthrottled(q):
    """{(parallelism, command): seconds} of the runs with no quota (bench/
    measure.py quota --quota-baseline), for the commands that succeeded."""
    return {
        (label, s["step"]): s["seconds"]
        for label, run in q.get("unthrottled", {}).items()
        for s in run["steps"]
        if s["ok"]
    }


def floor_ok(run, label, free):
    """Every command of a run within the ratio of its floor (the larger of
    the quota-bound minimum and the time with no quota)."""
    measured = [s for s in run["steps"] if (label, s["step"]) in free]
    if not measured:
        return None
    return all(s["seconds"] <= RATIO * max(s["minimum_s"], free[(label, s["step"])]) for s in measured)


def render(q, chart, load=None, when=None):
    """The section's lines; `chart(name, svg_text)` writes a chart and
    returns its link."""
    yes = lambda b: "not measured" if b is None else ("met" if b else "NOT met")  # noqa: E731
    L = [TITLE, ""]
    L.append(
        f"`pulumi up` of {q['repos']} repositories (each with a lifecycle policy and a pull grant to another "
        f"account), then `pulumi refresh`, an update of every repository's lifecycle policy and `pulumi destroy`, "
        f"through a token bucket of {q['rate']:g} requests a second with a burst of {q['burst']:g} in front of the "
        "local ECR (`bench/latency_proxy.py` with a quota, no added delay; beyond the bucket it answers ECR's "
        "`ThrottlingException`), with the release build. The **minimum** of a command is what the quota allows "
        "for the requests ECR accepted: (accepted - burst) / rate. **Refused** is the share of requests the bucket "
        "turned away. Each command starts with a full bucket."
        + (f" Measured {when}." if when else "")
        + (f" Load average at the start {load[0]:.2f}, at the end {load[1]:.2f} (2 CPUs)." if load else "")
    )
    L.append("")
    free = unthrottled(q)
    if free:
        L.append(
            "**No quota** is the same command with no bucket at all (ECR never throttles), measured in the same "
            "run: what the engine and the provider take on their own. A command cannot finish before the larger "
            "of the two, its **floor**; time / floor says how much the quota costs beyond what it must."
        )
        L.append("")
        L.append(
            "| parallelism | command | result | ECR after | time | minimum | no quota | time / minimum | "
            "time / floor | accepted | refused |"
        )
        L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    else:
        L.append("| parallelism | command | result | ECR after | time | minimum | time / minimum | accepted | refused |")
        L.append("|---|---|---|---|---|---|---|---|---|")
    verdicts = {}
    for label, run in q["runs"].items():
        for s in run["steps"]:
            ratio = f"{s['ratio']:.2f}x" if s["ratio"] is not None else "-"
            cells = [
                label, s["step"], "ok" if s["ok"] else "FAILED", f"{s['repositories_after']} of {s['expected_after']}",
                f"{s['seconds']:.0f} s", f"{s['minimum_s']:.0f} s",
            ]
            if free:
                alone = free.get((label, s["step"]))
                cells.append(f"{alone:.0f} s" if alone is not None else "-")
                cells.append(ratio)
                cells.append(f"{s['seconds'] / max(s['minimum_s'], alone):.2f}x" if alone else "-")
            else:
                cells.append(ratio)
            cells += [str(s["accepted"]), f"{s['refused']} ({s['refused_share'] * 100:.1f}%)"]
            L.append("| " + " | ".join(cells) + " |")
        verdicts[label] = verdict(run["steps"], run.get("peak_kib"))
    L.append("")
    for label, run in q["runs"].items():
        ok, fast, few, small = verdicts[label]
        peak = run.get("peak_kib")
        L.append(
            f"- **{label}**: every command succeeded with ECR holding exactly the declared repositories: "
            f"**{yes(ok)}**; within {RATIO}x of the minimum: **{yes(fast)}**; "
            + (f"within {RATIO}x of the floor: **{yes(floor_ok(run, label, free))}**; " if free else "")
            + f"under {REFUSED * 100:.0f}% refused: "
            f"**{yes(few)}**; provider peak memory "
            + (f"{peak / 1024:.1f} MiB" if peak is not None else "not recorded")
            + f" (≤ {PEAK_MIB} MiB: **{yes(small)}**, {run.get('provider_processes', 0)} provider process(es))."
        )
    L.append("")
    # The chart: one run at --parallel 64 if measured, else the first.
    label = "parallel 64" if "parallel 64" in q["runs"] else next(iter(q["runs"]))
    panels = []
    for series in q["runs"][label]["series"]:
        pts = series["per_second"]
        panels.append(
            {
                "title": f"{series['step']} ({label})",
                "x_label": "second",
                "y_label": "requests",
                "series": [
                    ("accepted", ACCEPTED_COLOUR, [(sec, a, a, a) for sec, a, _ in pts]),
                    ("refused", REFUSED_COLOUR, [(sec, r, r, r) for sec, _, r in pts]),
                ],
            }
        )
    if panels:
        link = chart(
            "quota.svg",
            svg.line_panels(
                f"requests a second through a {q['rate']:g}/s bucket (burst {q['burst']:g}), "
                f"{q['repos']} repositories, {label}",
                panels,
                note="accepted and refused requests per second of each command",
            ),
        )
        L.append(f"![accepted and refused requests per second]({link})")
        L.append("")
    L.append("This section alone: `bash bench/quota.sh` (about 40 minutes here; `BENCH_QUOTA_REPOS=200` for a quick try).")
    L.append("")
    return L


def splice(doc, section):
    """`doc` with `section` in place of its quota section, or before "## How
    to reproduce" when it has none."""
    lines = doc.split("\n")
    if TITLE in lines:
        start = lines.index(TITLE)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        return "\n".join(lines[:start] + section + lines[end:])
    at = lines.index("## How to reproduce") if "## How to reproduce" in lines else len(lines)
    return "\n".join(lines[:at] + section + lines[at:])


def main():
    results, out = Path(sys.argv[1]), Path(sys.argv[2])
    q = json.loads(results.read_text())
    charts = out.parent / out.stem
    charts.mkdir(parents=True, exist_ok=True)

    def chart(name, text):
        (charts / name).write_text(text)
        return f"{out.stem}/{name}"

    load = q.get("load", {})
    when = datetime.date.today().isoformat()
    section = render(q, chart, (load.get("start", [0])[0], load.get("end", [0])[0]) if load else None, when)
    out.write_text(splice(out.read_text() if out.exists() else "", section))


if __name__ == "__main__":
    main()
