#!/usr/bin/env python3
"""Turns a JMH JSON result of the mmapvec benchmarks into the Markdown tables of docs/BENCHMARKS.md.

    python3 bench/format.py bench/results/jmh-20250101-120000.json

Prints two tables: the comparisons (mmapvec / in-heap baseline, with the project's targets), and
every benchmark's raw score. Errors are JMH's: the half-width of the 99.9% confidence interval over
the measurement iterations. The error of a ratio a/b is propagated to first order:
(a/b) * sqrt((ea/a)^2 + (eb/b)^2).
"""
import json
import math
import signal
import sys

PKG = "io.mmapvec.bench."

# (operation, class, mmapvec benchmark, baseline benchmark, baseline label, max ratio or None, target)
COMPARISONS = [
    ("random get, 16M longs", "RandomAccessBench", "vecGet", "arrayGet", "long[]", 1.10,
     "~1.0 (as fast as a heap array)"),
    ("random set, 16M longs", "RandomAccessBench", "vecSet", "arraySet", "long[]", 1.10,
     "~1.0 (as fast as a heap array)"),
    ("scan: get(i) loop", "ScanBench", "vecGetLoop", "arrayLoop", "long[] loop", 1.10,
     "~1.0 (as fast as a heap array)"),
    ("scan: forEach", "ScanBench", "vecForEach", "arrayLoop", "long[] loop", 1.10,
     "~1.0 (as fast as a heap array)"),
    ("scan: asSegment + getAtIndex", "ScanBench", "vecSegment", "arrayLoop", "long[] loop", 1.10,
     "~1.0 (as fast as a heap array)"),
    ("append 10M longs", "AppendBench", "vecAdd", "heapLongArray", "long[] doubling", 1.30,
     "<= 1.3"),
    ("append 10M longs, then sync", "AppendBench", "vecAddThenSync", "heapLongArray",
     "long[] doubling", None, "none (informational: durable load)"),
    ("append 10M longs, blocks reserved first", "AppendBench", "vecAddReserved", "heapLongArray",
     "long[] doubling", None, "none (informational: without growth)"),
    ("append 10M longs to a cleared vector", "AppendBench", "vecAddRecycled", "heapLongArray",
     "long[] doubling", None, "none (informational: no growth, no page faults)"),
    ("append 10M longs", "AppendBench", "vecAdd", "boxedArrayList", "ArrayList<Long>", None,
     "none (informational)"),
    ("record field scan, 16M records", "StructScanBench", "fieldGetDouble", "doubleVecGet",
     "DoubleVec get(i)", 1.20, "<= 1.2"),
]


def load(path):
    with open(path) as f:
        runs = json.load(f)
    by_name = {}
    for r in runs:
        if not r.get("params"):  # comparisons are between unparameterised benchmarks
            by_name[short_name(r)] = r
    return runs, by_name


def short_name(r):
    name = r["benchmark"]
    return name[len(PKG):] if name.startswith(PKG) else name


def label(r):
    params = r.get("params") or {}
    return short_name(r) + "".join(f" {k}={v}" for k, v in params.items())


def score(r):
    m = r["primaryMetric"]
    err = m.get("scoreError")
    if err is None or (isinstance(err, float) and math.isnan(err)) or err == "NaN":
        err = float("nan")
    return float(m["score"]), float(err), m["scoreUnit"]


def num(x):
    if math.isnan(x):
        return "n/a"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def verdict(ratio, err, limit):
    if limit is None:
        return "-"
    if math.isnan(err):
        return "yes" if ratio <= limit else "no"
    if ratio + err <= limit:
        return "**yes**"
    if ratio <= limit:
        return "**yes** (within error of the limit)"
    if ratio - err <= limit:
        return "**no** (within error of the limit)"
    return "**no**"


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs, by_name = load(argv[1])

    print("| Operation | mmapvec | Baseline | mmapvec / baseline | Target | Met |")
    print("|---|---|---|---|---|---|")
    for op, cls, vec, base, base_label, limit, target in COMPARISONS:
        a, b = by_name.get(f"{cls}.{vec}"), by_name.get(f"{cls}.{base}")
        if a is None or b is None:
            continue
        sa, ea, unit = score(a)
        sb, eb, unit_b = score(b)
        if unit != unit_b:
            raise SystemExit(f"units differ: {cls}.{vec} {unit} vs {cls}.{base} {unit_b}")
        ratio = sa / sb
        rerr = ratio * math.sqrt((ea / sa) ** 2 + (eb / sb) ** 2)
        print(f"| {op} | {num(sa)} ± {num(ea)} {unit} | {base_label}: {num(sb)} ± {num(eb)} {unit} "
              f"| **{ratio:.2f}** ± {rerr:.2f} | {target} | {verdict(ratio, rerr, limit)} |")

    print()
    print("| Benchmark | Mode | Iterations | Score | Error (99.9%) | Unit |")
    print("|---|---|---|---|---|---|")
    for r in runs:
        name = label(r)
        s, e, unit = score(r)
        iters = r.get("measurementIterations", "?")
        print(f"| {name} | {r['mode']} | {iters} | {num(s)} | {num(e)} | {unit} |")

    first = runs[0] if runs else {}
    print()
    print(f"JMH {first.get('jmhVersion', '?')}, {first.get('vmName', '?')} {first.get('vmVersion', '?')}"
          f" (JDK {first.get('jdkVersion', '?')}), JVM args: {' '.join(first.get('jvmArgs', []))}")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    sys.exit(main(sys.argv))
