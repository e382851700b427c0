#!/usr/bin/env python3
"""Turns JMH JSON results of the mmapvec benchmarks into the Markdown tables of docs/BENCHMARKS.md.

    python3 bench/format.py RESULT.json [MORE.json ...]
    python3 bench/format.py --update docs/BENCHMARKS.md --svg docs/benchmarks.svg \\
        [--conditions DIR/conditions.txt] RESULT.json [MORE.json ...]

Without --update it prints the tables. With --update it rewrites only the part of the document
between the lines "<!-- bench:begin -->" and "<!-- bench:end -->" (every other section, such as
one another benchmark owns, stays as it is), and with --svg it draws the chart of the ratios to
long[] as an SVG file (no plotting library needed).

Errors are JMH's: the half-width of the 99.9% confidence interval over the measurement iterations
("n/a" where there were too few iterations). The error of a ratio a/b is propagated to first
order: (a/b) * sqrt((ea/a)^2 + (eb/b)^2).
"""
import json
import math
import os
import signal
import sys

PKG = "io.mmapvec.bench."
BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"

# The existing comparisons of mmapvec against its in-heap baseline, one JMH class each:
# (operation, class, mmapvec benchmark, baseline benchmark, baseline label, max ratio or None,
# target)
COMPARISONS = [
    ("random get, 16M longs", "RandomAccessBench", "vecGet", "arrayGet", "long[]", 1.0,
     "<= 1.0"),
    ("random set, 16M longs", "RandomAccessBench", "vecSet", "arraySet", "long[]", 1.0,
     "<= 1.0"),
    ("scan: get(i) loop, read-only", "ScanBench", "vecGetLoop", "arrayLoop", "long[] loop", 1.0,
     "<= 1.0"),
    ("scan: forEach, read-only", "ScanBench", "vecForEach", "arrayLoop", "long[] loop", 1.0,
     "<= 1.0"),
    ("scan: asSegment + getAtIndex", "ScanBench", "vecSegment", "arrayLoop", "long[] loop", 1.0,
     "<= 1.0"),
    ("append 10M longs", "AppendBench", "vecAdd", "heapLongArray", "long[] doubling", 1.30,
     "<= 1.3"),
    ("append 10M longs, then sync", "AppendBench", "vecAddThenSync", "heapLongArray",
     "long[] doubling", None, "none (durable load)"),
    ("append 10M longs, blocks reserved first", "AppendBench", "vecAddReserved", "heapLongArray",
     "long[] doubling", None, "none (without growth)"),
    ("append 10M longs to a cleared vector", "AppendBench", "vecAddRecycled", "heapLongArray",
     "long[] doubling", None, "none (no growth, no page faults)"),
    ("append 10M longs", "AppendBench", "vecAdd", "boxedArrayList", "ArrayList<Long>", None,
     "none"),
    ("record field scan, 16M records", "StructScanBench", "fieldGetDouble", "doubleVecGet",
     "DoubleVec get(i)", 1.20, "<= 1.2"),
]

# The peer workloads: (key, title, JMH benchmark, baseline contender, target ratio or None).
WORKLOADS = [
    ("append", "A. append n longs", "PeerAppendBench.append", "longArray", 1.3),
    ("durable", "A+sync. durable append (append n longs, then sync)", "PeerAppendBench.appendSync",
     "channelWrite", 1.1),
    ("get", "B. random get", "PeerReadBench.randomGet", "longArray", 1.0),
    ("set", "C. random set", "PeerWriteBench.randomSet", "longArray", 1.0),
    ("scan", "D. scan, the user's loop `for (i = 0; i < s.size(); i++) sum += s.get(i)`",
     "PeerReadBench.scan", "longArray", 1.0),
]

CONTENDERS = [
    ("longArray", "heap `long[]`, doubling"),
    ("fastutil", "fastutil `LongArrayList`"),
    ("mmapvec", "**mmapvec** `LongVec`"),
    ("mmapvecRO", "**mmapvec** `LongVec`, read-only"),
    ("segment", "FFM `FileChannel.map` segment"),
    ("mappedBuffer", "`MappedByteBuffer`, 1 GiB chunks"),
    ("channelWrite", "`FileChannel.write` + `force`"),
    ("chronicle", "Chronicle Bytes `MappedBytes`"),
    ("agrona", "Agrona `UnsafeBuffer` on a mapping"),
    ("mapdb", "MapDB `IndexTreeList`"),
    ("lmdb", "lmdbjava"),
]
LABEL = dict(CONTENDERS)
ORDER = {name: i for i, (name, _) in enumerate(CONTENDERS)}

SCAN_OPS = 16777216  # the @OperationsPerInvocation of PeerReadBench.scan


def load(paths):
    runs = []
    for p in paths:
        try:
            with open(p) as f:
                runs.extend(json.load(f))
        except (OSError, ValueError) as e:
            print(f"format.py: skipping {p}: {e}", file=sys.stderr)
    return runs


def short_name(r):
    name = r["benchmark"]
    return name[len(PKG):] if name.startswith(PKG) else name


def label(r):
    params = r.get("params") or {}
    return short_name(r) + "".join(f" {k}={v}" for k, v in params.items())


def score(r):
    m = r["primaryMetric"]
    err = m.get("scoreError")
    if err is None or err == "NaN" or (isinstance(err, float) and math.isnan(err)):
        err = float("nan")
    return float(m["score"]), float(err), m["scoreUnit"]


def num(x):
    if x is None or math.isnan(x):
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def ratio_of(a, ea, b, eb):
    r = a / b
    if math.isnan(ea) or math.isnan(eb):
        return r, float("nan")
    return r, r * math.sqrt((ea / a) ** 2 + (eb / b) ** 2)


def verdict(ratio, err, limit):
    if limit is None:
        return "-"
    if math.isnan(err):
        return "**yes**" if ratio <= limit else "**no**"
    if ratio + err <= limit:
        return "**yes**"
    if ratio <= limit:
        return "**yes** (within error of the limit)"
    if ratio - err <= limit:
        return "**no** (within error of the limit)"
    return "**no**"


def per_element(r):
    """(ns per element, error) of a peer benchmark result, whatever its unit and n."""
    s, e, unit = score(r)
    params = r.get("params") or {}
    n = float(params.get("n", "nan"))
    name = short_name(r)
    if name.startswith("PeerAppendBench."):
        f = {"ms/op": 1e6, "s/op": 1e9, "us/op": 1e3, "ns/op": 1.0}[unit] / n
    elif name == "PeerReadBench.scan":
        f = SCAN_OPS / n
    else:
        f = {"ns/op": 1.0, "us/op": 1e3}[unit]
    return s * f, e * f


def peer_table(runs, out, ratios):
    """The peer tables; fills ratios[(workload key, n)][contender] = (ratio, err)."""
    by = {}
    for r in runs:
        name = short_name(r)
        if not name.startswith("Peer"):
            continue
        p = r.get("params") or {}
        by[(name, p.get("n"), p.get("impl"))] = r
    if not by:
        return
    for key, title, bench, base, limit in WORKLOADS:
        ns_ = sorted({n for (b, n, _) in by if b == bench}, key=lambda x: -int(x))
        if not ns_:
            continue
        out.append(f"#### {title}")
        out.append("")
        base_label = LABEL[base].replace("**", "")
        out.append(f"| Contender | n | ns/element | million elements/s | ratio to {base_label} "
                   f"| target | met |")
        out.append("|---|---|---|---|---|---|---|")
        for n in ns_:
            b = by.get((bench, n, base))
            bns = per_element(b) if b else None
            impls = sorted({i for (bb, nn, i) in by if bb == bench and nn == n},
                           key=lambda i: ORDER.get(i, 99))
            for impl in impls:
                r = by[(bench, n, impl)]
                v, e = per_element(r)
                if key == "durable" and impl in ("longArray", "fastutil"):
                    continue  # nothing durable about them
                if bns:
                    rr, re_ = ratio_of(v, e, bns[0], bns[1])
                    rtxt = f"**{rr:.2f}** ± {num(re_)}" if not math.isnan(re_) else f"**{rr:.2f}**"
                    ratios.setdefault((key, n), {})[impl] = (rr, re_)
                else:
                    rr, re_, rtxt = float("nan"), float("nan"), "n/a"
                is_us = impl in ("mmapvec", "mmapvecRO")
                tgt = (f"<= {limit}" if is_us and limit is not None else "-")
                met = verdict(rr, re_, limit) if is_us and bns and limit is not None else "-"
                out.append(f"| {LABEL.get(impl, impl)} | {int(n):,} | {num(v)} ± {num(e)} "
                           f"| {num(1e3 / v)} | {rtxt} | {tgt} | {met} |")
        out.append("")


MMAP_PEERS = ("segment", "mappedBuffer", "chronicle", "agrona")


def summary(ratios, runs, out):
    """Targets at a glance: mmapvec's ratio per workload, and the best mmap peer's."""
    rows = []
    for key, title, _, base, limit in WORKLOADS:
        ns_ = [n for (k, n) in ratios if k == key]
        if not ns_:
            continue
        n = max(ns_, key=int)
        r = ratios[(key, n)]
        peers = [(r[p][0], p) for p in MMAP_PEERS if p in r]
        best = min(peers) if peers else None
        for impl in ("mmapvec", "mmapvecRO"):
            if impl not in r:
                continue
            rv, re_ = r[impl]
            lead = "-"
            if best:
                lead = ("**yes**" if rv <= best[0] else "**no**") + (
                    f" (best: {LABEL[best[1]].replace('**', '')} {best[0]:.2f})")
            what = title.split(". ", 1)[1].split(" (")[0].split(", the user")[0]
            if impl == "mmapvecRO":
                what += ", read-only vector"
            rows.append(f"| {what} | {int(n):,} | **{rv:.2f}** ± {num(re_)} "
                        f"| {LABEL[base].replace('**', '')} | <= {limit} "
                        f"| {verdict(rv, re_, limit)} | {lead} |")
    by = {}
    for r in runs:
        name = short_name(r)
        if name in ("OpenBench.openReadOnly", "OpenBench.openWritable"):
            by[(name, (r.get("params") or {}).get("size"))] = score(r)
    for name, what in (("OpenBench.openReadOnly", "open, read-only"),
                       ("OpenBench.openWritable", "open, writable")):
        a, b = by.get((name, "4G")), by.get((name, "1M"))
        if a and b:
            rv, re_ = ratio_of(a[0], a[1], b[0], b[1])
            rows.append(f"| {what}: 4 GiB file | - | **{rv:.2f}** ± {num(re_)} | the same, 1 MiB file "
                        f"| <= 2.0 | {verdict(rv, re_, 2.0)} | - |")
    plain = {short_name(r): r for r in runs if not r.get("params")}
    a, b = plain.get("StructScanBench.fieldGetDouble"), plain.get("StructScanBench.doubleVecGet")
    if a and b:
        rv, re_ = ratio_of(score(a)[0], score(a)[1], score(b)[0], score(b)[1])
        rows.append(f"| record field scan | 16,777,216 | **{rv:.2f}** ± {num(re_)} "
                    f"| `DoubleVec` `get(i)` | <= 1.2 | {verdict(rv, re_, 1.2)} | - |")
    if rows:
        out.append("| Workload | n | mmapvec ratio | to | target | met | ahead of every mmap peer |")
        out.append("|---|---|---|---|---|---|---|")
        out.extend(rows)
        out.append("")


def comparisons(runs, out):
    by_name = {}
    for r in runs:
        if not r.get("params"):
            by_name[short_name(r)] = r
    rows = []
    for op, cls, vec, base, base_label, limit, target in COMPARISONS:
        a, b = by_name.get(f"{cls}.{vec}"), by_name.get(f"{cls}.{base}")
        if a is None or b is None:
            continue
        sa, ea, unit = score(a)
        sb, eb, unit_b = score(b)
        if unit != unit_b:
            raise SystemExit(f"units differ: {cls}.{vec} {unit} vs {cls}.{base} {unit_b}")
        ratio, rerr = ratio_of(sa, ea, sb, eb)
        rows.append(f"| {op} | {num(sa)} ± {num(ea)} {unit} | {base_label}: {num(sb)} ± {num(eb)} "
                    f"{unit} | **{ratio:.2f}** ± {num(rerr)} | {target} "
                    f"| {verdict(ratio, rerr, limit)} |")
    if rows:
        out.append("| Operation | mmapvec | Baseline | mmapvec / baseline | Target | Met |")
        out.append("|---|---|---|---|---|---|")
        out.extend(rows)
        out.append("")


def open_table(runs, out):
    rows = {}
    for r in runs:
        name = short_name(r)
        if not name.startswith("OpenBench."):
            continue
        size = (r.get("params") or {}).get("size")
        d = rows.setdefault(size, {})
        if name.endswith("residentAfterOpen"):
            sec = r.get("secondaryMetrics", {}).get("residentKiB")
            if sec:
                d["rss"] = float(sec["score"])
        else:
            d[name.split(".")[1]] = score(r)
    if not rows:
        return
    order = ["1M", "1G", "4G"]
    out.append("| File (data) | open + close, read-only | open + close, writable "
               "| resident after open |")
    out.append("|---|---|---|---|")
    for size in sorted(rows, key=lambda s: order.index(s) if s in order else 9):
        d = rows[size]

        def cell(k):
            if k not in d:
                return "n/a"
            s, e, u = d[k]
            return f"{num(s)} ± {num(e)} {u.replace('/op', '')}"

        rss = d.get("rss")
        out.append(f"| {size}iB | {cell('openReadOnly')} | {cell('openWritable')} "
                   f"| {f'{rss:,.0f} KiB' if rss is not None else 'n/a'} |")
    ro = {s: rows[s].get("openReadOnly") for s in rows}
    if ro.get("1M") and ro.get("4G"):
        rr, re_ = ratio_of(ro["4G"][0], ro["4G"][1], ro["1M"][0], ro["1M"][1])
        out.append("")
        out.append(f"Read-only open of 4 GiB / 1 MiB: **{rr:.2f}** ± {num(re_)} "
                   f"(target <= 2: {verdict(rr, re_, 2.0)}).")
    wr = {s: rows[s].get("openWritable") for s in rows}
    if wr.get("1M") and wr.get("4G"):
        rr, re_ = ratio_of(wr["4G"][0], wr["4G"][1], wr["1M"][0], wr["1M"][1])
        out.append(f"Writable open of 4 GiB / 1 MiB: **{rr:.2f}** ± {num(re_)} "
                   f"(target <= 2: {verdict(rr, re_, 2.0)}).")
    out.append("")


def physical_table(runs, out):
    rows = [r for r in runs if short_name(r).startswith("PhysicalBench.")]
    if not rows:
        return
    out.append("| Limit | Measured | |")
    out.append("|---|---|---|")
    for r in rows:
        name = short_name(r).split(".")[1]
        s, e, u = score(r)
        if name == "memoryWrite":
            out.append(f"| memory write bandwidth (`Arrays.fill`, 128 MiB) | {num(s)} ± {num(e)} "
                       f"ns/long | {num(8 / s)} GB/s |")
        elif name == "memoryRead":
            out.append(f"| memory read bandwidth (sum, 128 MiB) | {num(s)} ± {num(e)} ns/long "
                       f"| {num(8 / s)} GB/s |")
        elif name == "firstTouchPerPage":
            f = {"ms/op": 1e6, "us/op": 1e3, "ns/op": 1.0}.get(u, 1.0)
            how = {"sparse": "sparse file, no preparation",
                   "zeroWritten": "after writing zeros over the pages (mmapvec's append prefault),"
                                  " the writes included",
                   "populated": "after `madvise(MADV_POPULATE_WRITE)`, the call included"}
            prep = (r.get("params") or {}).get("prepare", "sparse")
            out.append(f"| first store into a page of a fresh shared file mapping "
                       f"({how.get(prep, prep)}) | {num(s * f)} ± {num(e * f)} ns/page "
                       f"| {num(s * f / 512)} ns per long of the page |")
    out.append("")


def passes_table(runs, out):
    rows = [r for r in runs if short_name(r).startswith("ScanPassesBench.")]
    if not rows:
        return
    picks = [1, 2, 3, 5, 10, 15]
    out.append("| Loop over 20M longs | " + " | ".join(f"pass {p}" for p in picks) + " |")
    out.append("|---|" + "---|" * len(picks))
    for r in rows:
        name = short_name(r).split(".")[1]
        ro = (r.get("params") or {}).get("readOnly")
        what = "`long[]`" if name == "arrayPass" else (
            "`LongVec`, read-only" if ro == "true" else "`LongVec`, writable")
        raw = r["primaryMetric"].get("rawData") or [[]]
        passes = raw[0]
        cells = [f"{num(passes[p - 1])} ms" if p <= len(passes) else "n/a" for p in picks]
        out.append(f"| {what} | " + " | ".join(cells) + " |")
    out.append("")


def sync_table(runs, out):
    rows = [r for r in runs if short_name(r).startswith("SyncCostBench.")]
    if not rows:
        return
    out.append("| Benchmark | size | k | span | ms per operation |")
    out.append("|---|---|---|---|---|")
    for r in rows:
        p = r.get("params") or {}
        s, e, u = score(r)
        f = {"us/op": 1e-3, "ms/op": 1.0, "ns/op": 1e-6}.get(u, 1.0)
        out.append(f"| {short_name(r).split('.')[1]} | {p.get('size')} | {p.get('k')} "
                   f"| {p.get('span')} | {num(s * f)} ± {num(e * f)} |")
    out.append("")


def raw_table(runs, out):
    out.append("| Benchmark | Mode | Iterations | Score | Error (99.9%) | Unit |")
    out.append("|---|---|---|---|---|---|")
    for r in runs:
        s, e, unit = score(r)
        out.append(f"| {label(r)} | {r['mode']} | {r.get('measurementIterations', '?')} "
                   f"| {num(s)} | {num(e)} | {unit} |")
        for k, m in (r.get("secondaryMetrics") or {}).items():
            if k.startswith("·"):
                continue
            out.append(f"| {label(r)} ({k}) | {r['mode']} | | {num(float(m['score']))} | "
                       f"| {m.get('scoreUnit', '')} |")
    out.append("")


def flags_table(runs, out):
    seen = {}
    for r in runs:
        cls = short_name(r).split(".")[0]
        seen.setdefault(" ".join(r.get("jvmArgs", [])), []).append(cls)
    out.append("| JVM flags of the forks | Benchmarks |")
    out.append("|---|---|")
    for flags, classes in seen.items():
        names = ", ".join(sorted(set(classes)))
        out.append(f"| `{flags}` | {names} |")
    out.append("")


def render(runs, files, conditions):
    out = [BEGIN, "",
           "<!-- Generated by bench/format.py from the files named below; edit the script, not "
           "this part. -->", ""]
    first = runs[0] if runs else {}
    out.append("### Run and machine")
    out.append("")
    out.append("| | |")
    out.append("|---|---|")
    out.append("| Results | " + ", ".join(f"`{f}`" for f in files) + " |")
    for line in conditions:
        if ":" in line:
            k, v = line.split(":", 1)
            out.append(f"| {k.strip()} | {v.strip()} |")
    out.append(f"| JDK | {first.get('vmName', '?')} {first.get('vmVersion', '?')} "
               f"(JDK {first.get('jdkVersion', '?')}), default GC |")
    out.append(f"| JMH | {first.get('jmhVersion', '?')}, one fork per benchmark and parameter "
               f"set; iterations as in the raw table |")
    out.append("")
    ratios = {}
    peer_out = []
    peer_table(runs, peer_out, ratios)
    glance = []
    summary(ratios, runs, glance)
    if glance:
        out.append("### Targets at a glance")
        out.append("")
        out.extend(glance)
    if peer_out:
        out.append("### Peers side by side")
        out.append("")
        out.append("ns per element (mean ± error), throughput, and the ratio to the baseline in "
                   "the same run at the same n; targets apply to mmapvec. The chart "
                   "(`benchmarks.svg`, log scale) shows the ratios to `long[]` (durable append: "
                   "to `FileChannel.write` + `force`).")
        out.append("")
        out.append("![ratios to long[]](benchmarks.svg)")
        out.append("")
        out.extend(peer_out)
    cmp_out = []
    comparisons(runs, cmp_out)
    if cmp_out:
        out.append("### mmapvec against its heap baselines (the earlier benchmarks)")
        out.append("")
        out.extend(cmp_out)
    for title, fn in (("F. Open, and resident memory after open", open_table),
                      ("First passes of the user's scan loop (no warm-up)", passes_table),
                      ("Physical limits (same run)", physical_table),
                      ("E. Sync after k random sets", sync_table)):
        part = []
        fn(runs, part)
        if part:
            out.append(f"### {title}")
            out.append("")
            out.extend(part)
    out.append("### JVM flags")
    out.append("")
    flags_table(runs, out)
    out.append("<details><summary>Raw scores of the run</summary>")
    out.append("")
    raw_table(runs, out)
    out.append("</details>")
    out.append("")
    out.append(END)
    return "\n".join(out) + "\n", ratios


def svg(ratios, path):
    """Horizontal bars of the ratio to the baseline, one group per workload, log scale."""
    groups = []
    for key, title, _, base, _ in WORKLOADS:
        cand = [(k, v) for (kk, n), v in ratios.items() if kk == key for k in [n]]
        if not cand:
            continue
        # the largest n of the workload: the main run; other n add their own contenders only
        ns_ = sorted({n for n, _ in cand}, key=lambda x: -int(x))
        bars = {}
        for n in ns_:
            for impl, rv in ratios[(key, n)].items():
                if impl not in bars:
                    bars[impl] = (rv[0], n)
        groups.append((title.split(" (")[0].split(", the")[0], base,
                       sorted(bars.items(), key=lambda kv: ORDER.get(kv[0], 99)), ns_[0]))
    if not groups:
        return
    lo, hi = 0.25, 2000.0
    left, width, bar, gap = 300, 560, 14, 22
    height = 40 + sum(len(b) * bar + gap + 18 for _, _, b, _ in groups) + 30

    def x(v):
        v = min(max(v, lo), hi)
        return left + width * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" '
             f'height="{height}" font-family="sans-serif" font-size="11">',
             '<rect width="100%" height="100%" fill="white"/>',
             f'<text x="10" y="18" font-size="13" font-weight="bold">Time relative to the baseline'
             f' (log scale; left of the red line = faster than the baseline)</text>']
    for t in (0.25, 0.5, 1, 2, 5, 10, 100, 1000):
        parts.append(f'<line x1="{x(t):.1f}" y1="30" x2="{x(t):.1f}" y2="{height - 20}" '
                     f'stroke="{"red" if t == 1 else "#ddd"}"/>')
        parts.append(f'<text x="{x(t):.1f}" y="{height - 6}" text-anchor="middle">{t:g}x</text>')
    y = 40
    for title, base, bars, _ in groups:
        parts.append(f'<text x="10" y="{y + 10}" font-weight="bold">{esc(title)} '
                     f'(baseline: {esc(LABEL[base].replace("**", "").replace("`", ""))})</text>')
        y += 16
        for impl, (rv, n) in bars:
            ours = impl.startswith("mmapvec")
            name = LABEL.get(impl, impl).replace("**", "").replace("`", "")
            if n != _:
                name += f" (n={int(n):,})"
            parts.append(f'<text x="{left - 6}" y="{y + bar - 3}" text-anchor="end">'
                         f'{esc(name)}</text>')
            x0, x1 = x(lo), x(rv)
            parts.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" '
                         f'height="{bar - 3}" fill="{"#d95f02" if ours else "#7570b3"}"/>')
            parts.append(f'<text x="{x1 + 4:.1f}" y="{y + bar - 4}">{rv:.2f}</text>')
            y += bar
        y += gap
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main(argv):
    args = argv[1:]
    update = svg_path = cond = None
    files = []
    while args:
        a = args.pop(0)
        if a == "--update":
            update = args.pop(0)
        elif a == "--svg":
            svg_path = args.pop(0)
        elif a == "--conditions":
            cond = args.pop(0)
        elif a.startswith("--"):
            print(__doc__.strip(), file=sys.stderr)
            return 2
        else:
            files.append(a)
    if not files:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs = load(files)
    conditions = []
    if cond and os.path.exists(cond):
        with open(cond) as f:
            conditions = [line.rstrip("\n") for line in f if line.strip()]
    shown = [os.path.relpath(f) for f in files]
    text, ratios = render(runs, shown, conditions)
    if svg_path:
        svg(ratios, svg_path)
    if update:
        with open(update) as f:
            doc = f.read()
        if BEGIN in doc and END in doc:
            head, rest = doc.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            doc = head + text.rstrip("\n") + tail
        else:
            raise SystemExit(f"{update} has no {BEGIN} ... {END} section to rewrite")
        with open(update, "w") as f:
            f.write(doc)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    sys.exit(main(sys.argv))
