"""The round-trip section of docs/performance.md ("Round trips per
operation", issues 17 and 26), from bench/measure.py's `rounds` results:
each operation's critical-path round trips through the latency proxy, now and
for the build before the latency work, against the minimum the dependencies
between its calls allow.

bench/report.py renders it as part of the whole document. Alone, it puts a
fresh measurement into an existing document (the section and its row of the
targets table), as bench/rounds.sh does:

    python bench/rounds_report.py ROUNDS.json BEFORE_COMMIT docs/performance.md
"""

import json
import sys
from pathlib import Path

import svg

TITLE = "## Round trips per operation"
TARGET_ROW = "| every operation at its minimum round trips | 17 |"
BEFORE_COLOUR, AFTER_COLOUR = "#b0b0b0", "#2a6fdb"


def met(ok):
    return "met" if ok else "not met"


def steps(rounds):
    """(the current provider's steps, the build before's steps by label);
    the build before has no row for inputs it refuses."""
    after = rounds["providers"]["after"]["steps"]
    before = {r["label"]: r for r in rounds["providers"]["before"]["steps"]}
    return after, before


def target_row(rounds):
    """The row of the targets table."""
    rt_after, rt_before = steps(rounds)
    at_min = sum(1 for r in rt_after if r["round_trips"] <= r["minimum"])
    compared = [r for r in rt_after if r["label"] in rt_before]
    before_at_min = sum(1 for r in compared if rt_before[r["label"]]["round_trips"] <= r["minimum"])
    return (
        f"{TARGET_ROW} {at_min} of {len(rt_after)} operations ({before_at_min} of {len(compared)} before) | "
        f"**{met(at_min == len(rt_after))}** |"
    )


def render(rounds, rev, chart):
    """The section's lines; `chart(name, svg_text)` writes a chart and
    returns its link."""
    L = []
    w = L.append
    rt_after, rt_before = steps(rounds)
    rt_at_min = [r for r in rt_after if r["round_trips"] <= r["minimum"]]
    w("## Round trips per operation")
    w("")
    delay = rounds["delay_ms"]
    w(
        f"In a far region each AWS call costs a round trip of 50-300 ms, so what a user waits for is the number of "
        "calls made one after the other, not their count. `bench/latency_proxy.py` sits between the provider and "
        f"the emulator and holds every AWS request {delay:g} ms before forwarding it, recording each request's "
        "operation and when it started and ended. A command's **critical-path round trips** are the requests "
        "grouped into sequential rounds: taken in the order they started, a request joins the current round if "
        "it started before every request of that round ended, otherwise it begins a new one "
        "(`latency_proxy.rounds`, tested by `bench/test_latency_proxy.py`). Each operation is one Pulumi CLI "
        f"command (`--skip-preview`); \"before\" is the provider built from commit {rev}, measured in the same "
        "run through the same proxy. The minimum is what the dependencies between the calls allow: a create "
        "needs the repository before its follow-up calls (lifecycle and repository policy), an import needs "
        "DescribeRepositories for the ARN before ListTagsForResource, and a Registry create needs "
        "DescribeRegistry for the registry id (the takeover reads go with it) before its writes; a refresh with "
        "the ARN in the state, an update of any number of settings and a delete need one; a Registry group "
        "declared in an update for the first time (without `adopt`) is read before it is written: two, and so is "
        "every update and delete of the registry policy, which keeps the statements of others: the live policy "
        "is read, then written."
    )
    w("")
    rt_rows = []
    w("| resource | operation | before | now | minimum | | now, by round (calls at once) |")
    w("|---|---|---|---|---|---|---|")
    last = None
    for r in rt_after:
        b_ = rt_before.get(r["label"])  # none: inputs the build before refuses
        before_rt = "—" if b_ is None else b_["round_trips"]
        if r["resource"] != last:
            rt_rows.append((f"# {r['resource']}", {}, None))
            last = r["resource"]
        short = r["label"].replace("`", "")
        if len(short) > 40 and " (" in short:
            short = short[: short.index(" (")]
        bars = {"now": r["round_trips"]} if b_ is None else {"before": b_["round_trips"], "now": r["round_trips"]}
        rt_rows.append((short, bars, r["minimum"]))
        by_round = " → ".join(" + ".join(g) for g in r["rounds"]) or "none"
        w(
            f"| {r['resource']} | {r['label']} | {before_rt} | **{r['round_trips']}** | {r['minimum']} | "
            f"{'=' if r['round_trips'] == r['minimum'] else ('**>**' if r['round_trips'] > r['minimum'] else '<')} | "
            f"{by_round} |"
        )
    w("")
    link = chart(
        "round-trips.svg",
        svg.hbars(
            "Critical-path round trips per operation",
            rt_rows,
            [("before", BEFORE_COLOUR), ("now", AFTER_COLOUR)],
            marker="minimum",
            note=f"each AWS request held {delay:g} ms by bench/latency_proxy.py; before = commit {rev}",
        ),
    )
    w(f"![Critical-path round trips per operation, before ({rev}) and now, with the minimum]({link})")
    w("")
    above = [r for r in rt_after if r["round_trips"] > r["minimum"]]
    compared = [r for r in rt_after if r["label"] in rt_before]
    saved = sum(rt_before[r["label"]]["round_trips"] - r["round_trips"] for r in compared)
    text = (
        f"**Every operation at its minimum round trips: {met(not above)}** ({len(rt_at_min)} of {len(rt_after)}; "
        f"before, {sum(1 for r in compared if rt_before[r['label']]['round_trips'] <= r['minimum'])} of {len(compared)}; "
        f"the build before refuses the inputs of the other {len(rt_after) - len(compared)}, shown as —). "
        f"Over the {len(compared)} operations both take the provider now waits {saved} round trips fewer "
        f"({saved * delay / 1000:.1f} s at {delay:g} ms a round trip). "
    )
    if above:
        text += "Above the minimum: " + "; ".join(
            f"{r['resource']} {r['label']} ({r['round_trips']}, minimum {r['minimum']}: "
            + " → ".join(" + ".join(g) for g in r["rounds"]) + ")"
            for r in above
        ) + "."
    else:
        text += (
            "The calls themselves are the same as before (see \"AWS calls per operation\"): only their order "
            "changed, the independent ones now going out at once."
        )
    w(text)
    w("")
    w(f"This section alone: `bash bench/rounds.sh` (it builds the provider at commit {rev} the first time).")
    w("")
    return L


def splice(doc, section):
    """`doc` with `section` in place of its round-trip section and the
    targets row replaced."""
    lines = doc.split("\n")
    start = lines.index(TITLE)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    lines = lines[:start] + section + lines[end:]
    return "\n".join(lines)


def main():
    results, rev, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    rounds = json.loads(results.read_text())
    charts = out.parent / out.stem
    charts.mkdir(parents=True, exist_ok=True)

    def chart(name, text):
        (charts / name).write_text(text)
        return f"{out.stem}/{name}"

    doc = splice(out.read_text(), render(rounds, rev, chart))
    lines = doc.split("\n")
    rows = [i for i, line in enumerate(lines) if line.startswith(TARGET_ROW)]
    assert len(rows) == 1, "one round-trip row in the targets table"
    lines[rows[0]] = target_row(rounds)
    out.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
