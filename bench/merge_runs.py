"""Merges several `qgb_bench --json` files into one Markdown table: for each
row the median of the library and floor figures over the runs, their ratio,
and whether the target is met (and, where a run has one, the median of the
bridge's figures and the library's ratio to it). Standard library only.

    python3 bench/merge_runs.py run1.json run2.json run3.json
    python3 bench/merge_runs.py --json baseline.json run1.json run2.json run3.json

With --json it also writes the medians in qgb_bench's JSON format, which
`qgb_bench --check` accepts as a baseline. With --worst, the ratios written
are the least favourable of the runs instead of the ratio of the medians: a
baseline for a check that must not fail on noise (it applies to the ratio to
the floor only: the check ignores the bridge).

    python3 bench/merge_runs.py --worst --json bench/baseline.json q*.json
"""

import json
import statistics
import sys


def fmt(value, unit):
    if value is None:
        return "-"
    a = abs(value)
    text = f"{value:,.0f}" if a >= 1000 else f"{value:.1f}" if a >= 10 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main(args):
    out = None
    worst = False
    if args[:1] == ["--worst"]:
        worst, args = True, args[1:]
    if args[:1] == ["--json"]:
        out, args = args[1], args[2:]
    runs = [json.load(open(p)) for p in args]
    rows = {}
    order = []
    for run in runs:
        for r in run["results"]:
            if r["key"] not in rows:
                order.append(r["key"])
                rows[r["key"]] = dict(r, libs=[], floors=[], bridges=[])
            rows[r["key"]]["libs"].append(r["library"])
            rows[r["key"]]["floors"].append(r["floor"])
            rows[r["key"]]["bridges"].append(r.get("bridge"))
            rows[r["key"]].setdefault("ratios", []).append(r["ratio"])
    modes = {run["run"]["mode"] for run in runs}
    print(f"Median of {len(runs)} run(s), mode {'/'.join(sorted(modes))}; "
          f"load average before each run: "
          + ", ".join(f"{run['run']['load_before']:.2f}" for run in runs) + "\n")
    with_bridge = any(b is not None for r in rows.values() for b in r["bridges"])
    if with_bridge:
        print("| workload | library | floor | bridge | ratio | ratio to bridge | target | met |")
        print("|---|---:|---:|---:|---:|---:|---|---|")
    else:
        print("| workload | library | floor | ratio | target | met |")
        print("|---|---:|---:|---:|---|---|")
    merged = []
    for key in order:
        r = rows[key]
        lib, flo, bri = median(r["libs"]), median(r["floors"]), median(r["bridges"])
        ratio = lib / flo if lib is not None and flo else None
        to_bridge = lib / bri if lib is not None and bri else None
        merged.append({k: v for k, v in r.items()
                       if k not in ("libs", "floors", "bridges", "ratios", "bridge_error")})
        merged[-1].update(library=lib, floor=flo, ratio=ratio)
        if with_bridge:
            merged[-1].update(bridge=bri, ratio_to_bridge=to_bridge)
        ratios = [x for x in r["ratios"] if x is not None]
        if worst and ratios:
            pick = max if r["lower_is_better"] else min
            merged[-1]["ratio"] = pick(ratios)
        value = ratio if (r.get("goal") or "").startswith("ratio") else lib
        goal, target = r.get("goal"), r.get("target_value")
        met = ""
        if goal and value is not None:
            ok = value <= target if goal.endswith("<=") else value >= target
            met = "yes" if ok else "**no**"
            merged[-1]["met"] = ok
        ratios = f"{'-' if ratio is None else f'{ratio:.2f}x'} |"
        figures = f"{fmt(lib, r['unit'])} | {fmt(flo, r['unit'])} |"
        if with_bridge:
            figures += f" {fmt(bri, r['unit'])} |"
            ratios += f" {'-' if to_bridge is None else f'{to_bridge:.2f}x'} |"
        print(f"| {r['workload']} {r['metric']} | {figures} {ratios} {r['target']} | {met} |")
    if out:
        run = dict(runs[0]["run"], merged_runs=len(runs), worst_ratios=worst,
                   load_before=[x["run"]["load_before"] for x in runs])
        with open(out, "w") as f:
            json.dump({"machine": runs[0]["machine"], "run": run, "results": merged},
                      f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
