#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Plain data files for gnuplot (tools/mls-bench/plot.gp) from mls-bench's
JSON document (build/bench/results.json); Documentation/dev-tools/bench.rst.

usage: plotdata.py DIR   (reads DIR/results.json, writes DIR/*.dat)

throughput-OP-SUITE.dat, one per operation and suite, 1 thread: a header
line naming the columns, then one line per message size: the size and the
MB/s of application data of every implementation the run measured. The
columns are whatever the rows hold: kernel, userspace and raw_aead always,
and any other measured result of a row (a floor, a batch) or any other
operation whose name contains the operation's ("encrypt_batch") as a
series of its own. A value the run did not measure is NaN.

memory.dat: one line per memory row: groups, whether they had their sysfs
directory, bytes per group and per past epoch (slabinfo, and the module's
own count, NaN without one).
"""
import json
import math
import os
import sys


def mbps(res):
    if isinstance(res, dict) and isinstance(res.get("mb_per_s"), (int, float)):
        return float(res["mb_per_s"])
    return None


def num(v):
    return "NaN" if v is None or (isinstance(v, float) and math.isnan(v)) else "%g" % v


def throughput(doc, out):
    base_ops = ("encrypt", "decrypt")
    # (op, suite) -> size -> series -> MB/s; series in order of appearance
    table, order = {}, {}
    for row in doc.get("data_plane") or []:
        if row.get("threads") != 1:
            continue
        op = str(row.get("op", ""))
        base = next((b for b in base_ops if b in op), None)
        if base is None:
            continue
        key = (base, row.get("suite"))
        cells = table.setdefault(key, {}).setdefault(row.get("size"), {})
        names = order.setdefault(key, [])
        for name, res in row.items():
            v = mbps(res)
            if v is None:
                continue
            series = name if op == base else "%s_%s" % (op, name) if name != "kernel" else op
            cells[series] = v
            if series not in names:
                names.append(series)
    written = []
    for (op, suite), sizes in sorted(table.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        names = order[(op, suite)]
        path = os.path.join(out, "throughput-%s-%s.dat" % (op, suite))
        with open(path, "w") as f:
            f.write("size " + " ".join(names) + "\n")
            for size in sorted(s for s in sizes if isinstance(s, int)):
                f.write("%d %s\n" % (size, " ".join(num(sizes[size].get(n)) for n in names)))
        written.append(path)
    return written


def memory(doc, out):
    rows = (doc.get("memory") or {}).get("rows") or []
    path = os.path.join(out, "memory.dat")
    with open(path, "w") as f:
        f.write("groups sysfs group_slab group_module epoch_slab epoch_module\n")
        for r in rows:
            g, e = r.get("per_group") or {}, r.get("per_past_epoch") or {}
            f.write("%d %d %s %s %s %s\n" % (
                r.get("groups", 0), r.get("group_sysfs", 0),
                num(g.get("slabinfo_bytes_each")), num(g.get("module_bytes_each")),
                num(e.get("slabinfo_bytes_each")), num(e.get("module_bytes_each"))))
    return [path]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    out = sys.argv[1]
    with open(os.path.join(out, "results.json")) as f:
        doc = json.load(f)
    for p in throughput(doc, out) + memory(doc, out):
        print("bench: " + p)


if __name__ == "__main__":
    main()
