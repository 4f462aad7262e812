"""The "Inventory at scale" section of docs/performance.md (issue 28 point 5)
from bench/measure.py's `inventory` results; bench/report.py calls it."""

TITLE = "## Inventory at scale"


def mmm(s, digits=2):
    return f"{s['median']:.{digits}f} s ({s['min']:.{digits}f}-{s['max']:.{digits}f})"


def render(r, build="the release build"):
    seq = r["sequential_listing_s"]
    ratio = r["no_report_ratio"]
    ratio_seq = r["no_report_ratio_to_sequential"]
    met = "**met**" if ratio["median"] <= 1.3 else "**not met**"
    preview = r.get("import_preview")
    overlap = all(r["other_calls_within_listing"])
    lines = [
        TITLE,
        "",
        f"`pulumi-resource-awsecr inventory` of {r['repos']} repositories (seeded straight into the emulator, "
        f"not through the proxy) through the latency proxy at {r['delay_ms']:.0f} ms a request, "
        f"{r['page_size']} a page (`--page-size {r['page_size']}`); {r['runs']} runs, median (min-max), "
        f"{build}, wall time from process start to exit. The emulator runs in strict mode with a page size of "
        "1,000, so it pages DescribeRepositories as ECR does (lenient moto answers every repository in one page "
        "whatever `maxResults` says).",
        "",
        "| run | time | requests | time / minimum listing |",
        "|---|---|---|---|",
        f"| minimum sequential listing: {r['pages']} pages x {r['delay_ms']:.0f} ms | {r['minimum_listing_s']:.2f} s "
        f"| {r['pages']} | 1.00x |",
        f"| the same pages one after another straight through the proxy (Python, no SDK, no process start; the "
        f"emulator's own time per page included) | {mmm(seq)} | {r['pages']} | "
        f"{seq['median'] / r['minimum_listing_s']:.2f}x |",
        f"| `inventory --no-report --page-size {r['page_size']} --out FILE` | {mmm(r['no_report_s'])} | "
        f"{r['no_report_span']['requests']['median']:.0f} | {ratio['median']:.2f}x |",
        f"| `inventory --page-size {r['page_size']}` (with the baseline report) | {mmm(r['full_s'])} | "
        f"{r['full_span']['requests']['median']:.0f} | {r['full_ratio']['median']:.2f}x |",
        "",
        f"The minimum sequential listing is {r['pages']} DescribeRepositories pages ({r['repos']} / "
        f"{r['page_size']}, rounded up) one after another, each held {r['delay_ms']:.0f} ms by the proxy: each "
        "page needs the token of the one before, so no client can list faster at this latency. The registry, "
        "rule and template calls (`--no-report` makes "
        f"{r['no_report_span']['requests']['median'] - r['pages']:.0f} of them: "
        f"{', '.join(op for op in r['no_report_operations'] if op != 'DescribeRepositories')}) run beside the "
        "listing; "
        + ("in every run they ended before the last page did, so they add nothing to it. "
           if overlap else "in some runs one ended after the last page. ")
        + f"Against that minimum, `--no-report` took {ratio['median']:.2f}x in the median "
        f"({ratio['min']:.2f}x-{ratio['max']:.2f}x; target 1.3x: {met}). "
        f"The same pages made one after another straight through the proxy took "
        f"{seq['median'] / r['minimum_listing_s']:.2f}x: what is over 1.00x there is the emulator's own time "
        f"and the proxy's forwarding, about {(seq['median'] - r['minimum_listing_s']) / r['pages'] * 1000:.0f} ms "
        "a page on top of the delay (the strict emulator builds only the page it answers, so a page costs the "
        "same at any offset). Against that floor the provider took "
        f"{ratio_seq['median']:.2f}x: its own time (process start, credentials, the SDK) is the rest.",
    ]
    if preview:
        lines += [
            "",
            f"The written file ({r['import_entries']} entries) goes through the real CLI: `pulumi import --file FILE "
            f"--preview-only --generate-code=false` against the emulator (no proxy) succeeded in "
            f"{preview['seconds']:.1f} s; its last lines: "
            + "; ".join(f'"{x.strip()}"' for x in preview["last_lines"]) + ".",
        ]
    if "load" in r:
        lines += [
            "",
            f"Load average (1/5/15 min) {' '.join(map(str, r['load']['start']))} at the start, "
            f"{' '.join(map(str, r['load']['end']))} at the end (2 CPUs, shared: other builds and tests ran).",
        ]
    lines += [
        "",
        "This section alone: `python bench/measure.py inventory --out inventory.json --repos 2000 --page-size 100 "
        "--provider BIN --toolchain DIR` with the test venv's Python, then `bench/report.py` (or "
        "`python -c 'import json,sys; sys.path.insert(0,\"bench\"); import inventory_report as r; "
        "print(\"\\n\".join(r.render(json.load(open(\"inventory.json\")))))'`).",
        "",
    ]
    return lines
