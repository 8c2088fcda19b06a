#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sum a function_graph trace (the profile job's output) per function.

usage: graphsum.py TRACE [DEPTH]

Reads the lines between "=== profile begin ===" and "=== profile end ==="
(or the whole file when it has no markers) and prints, per call depth and
function, the number of calls and the median and fastest duration in us,
slowest first within a depth; calls per outermost call show how often a
function runs per traced ioctl. Interrupts the tracer recorded inside a
call are left out of the table (their time is still in the caller's).
"""
import re
import statistics
import sys
from collections import defaultdict

LINE = re.compile(r'\s*\d+\)\s+(?:\S+\s+\|\s*)?'
                  r'(?:[!+#*@$]\s*)?([\d.]+ us)?\s*\|(\s*)(.*)$')
IRQ = re.compile(r'irq_|interrupt|softirq|idle_cpu|hrtimer|tick_')


def lines(path):
    with open(path, errors='replace') as f:
        text = f.read().replace('\r', '').split('\n')
    if '=== profile begin ===' in text:
        text = text[text.index('=== profile begin ===') + 1:]
        if '=== profile end ===' in text:
            text = text[:text.index('=== profile end ===')]
    return text


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().split('\n\n')[1])
    maxdepth = int(sys.argv[2]) if len(sys.argv) == 3 else 99
    calls = defaultdict(list)
    stack = []
    for line in lines(sys.argv[1]):
        m = LINE.match(line)
        if not m:
            continue
        dur, indent, rest = m.groups()
        depth = len(indent) // 2
        if rest.endswith('{'):
            stack.append((depth, rest[:-1].strip()))
        elif rest.startswith('}'):
            if stack and dur:
                d, name = stack.pop()
                calls[(d, name)].append(float(dur.split()[0]))
        elif rest.endswith(';') and dur:
            calls[(depth, rest[:-1].strip())].append(float(dur.split()[0]))
    if not calls:
        sys.exit(f'{sys.argv[1]}: no function_graph lines')
    top = min(d for d, _ in calls)
    outer = sum(len(v) for (d, _), v in calls.items() if d == top)
    print(f'{"depth":>5}  {"function":<48} {"calls":>7} {"/call":>6} '
          f'{"p50 us":>9} {"min us":>9}')
    rows = sorted(calls.items(),
                  key=lambda kv: (kv[0][0], -statistics.median(kv[1])))
    for (d, name), v in rows:
        if d - top >= maxdepth or IRQ.search(name):
            continue
        print(f'{d - top:>5}  {name:<48} {len(v):>7} {len(v) / outer:>6.2f} '
              f'{statistics.median(v):>9.2f} {min(v):>9.2f}')


if __name__ == '__main__':
    main()
