#!/usr/bin/env python3
"""Where the time of one CosPress step goes, from operator traces of the Java and PyTorch steps.

Why: the Java trainer and the PyTorch reference run the same libtorch kernels, so a speed gap is
either more (or larger) ops on one side, or time spent outside the ops (host-language overhead,
JNI, allocation). Both sides can write a Chrome trace of one step:
  java ... StepBenchmark ... --profile java.json        (libtorch's profiler through DJL; phase
                                                         boundaries in java.json.phases.json)
  python tools/bench_pytorch_step.py ... --profile py.json   (torch.profiler; phases are
                                                         record_function ranges "phase:<name>")
This script reads one or more such traces (stdlib only, any Python 3) and prints, per phase of
the step (teacher, forward, loss, backward, optimizer):
  wall      the phase's wall time
  ops       top-level ATen ops started in it (ops the host language called; in Java each is at
            least one JNI crossing; ops nested inside them, e.g. the TorchScript interpreter's,
            are not counted)
  in ops    time inside those top-level ops
  outside   wall - in ops: time in the host language, JNI and the allocator between ops
and then the heaviest ops by self time (time not spent in nested ops) over the whole step and in
the loss phase.

Usage: tools/profile_summary.py [--top N] NAME=TRACE.json [NAME=TRACE.json ...]
"""
import argparse
import collections
import json
import os
import sys

PHASES = ("teacher", "forward", "loss", "backward", "optimizer")


def load(path):
    """(op events, phase spans) of a trace; events are dicts with name, ts, dur, tid (µs)."""
    with open(path) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    ops, phases = [], []
    for e in events:
        if e.get("ph") != "X" or "dur" not in e:
            continue
        name = e.get("name", "")
        if name.startswith("phase:"):
            phases.append((name[len("phase:"):], float(e["ts"]), float(e["ts"]) + float(e["dur"])))
        elif e.get("cat", "cpu_op") in ("cpu_op", "operator") or "cat" not in e:
            ops.append({"name": name, "ts": float(e["ts"]), "dur": float(e["dur"]),
                        "tid": e.get("tid")})
    side = path + ".phases.json"
    if not phases and os.path.exists(side):
        with open(side) as f:
            phases = [(p["phase"], float(p["start_us"]), float(p["end_us"])) for p in json.load(f)]
    return ops, sorted(phases, key=lambda p: p[1])


def nest(ops):
    """Marks each op with its depth and self time (its duration less its direct children's)."""
    by_thread = collections.defaultdict(list)
    for op in ops:
        by_thread[op["tid"]].append(op)
    for thread_ops in by_thread.values():
        thread_ops.sort(key=lambda o: (o["ts"], -o["dur"]))
        stack = []
        for op in thread_ops:
            while stack and op["ts"] >= stack[-1]["ts"] + stack[-1]["dur"] - 1e-3:
                stack.pop()
            op["depth"] = len(stack)
            op["self"] = op["dur"]
            if stack:
                stack[-1]["self"] -= op["dur"]
            stack.append(op)


def phase_of(ts, phases):
    for name, start, end in phases:
        if start - 1 <= ts < end:
            return name
    return None


def summarize(label, path, top):
    ops, phases = load(path)
    nest(ops)
    if not phases:
        print(f"{label}: no phase marks in {path}", file=sys.stderr)
    main_tid = collections.Counter(o["tid"] for o in ops if o["depth"] == 0).most_common(1)[0][0]
    rows = {}
    for name, start, end in phases:
        top_level = [o for o in ops if o["depth"] == 0 and o["tid"] == main_tid
                     and start - 1 <= o["ts"] < end]
        inside = sum(o["dur"] for o in top_level)
        rows[name] = (end - start, len(top_level), inside)
    print(f"== {label} ({os.path.basename(path)})")
    print(f"  {'phase':10s} {'wall ms':>9s} {'ops':>6s} {'in ops ms':>10s} {'outside ms':>11s}")
    total = [0.0, 0, 0.0]
    for name in PHASES:
        if name not in rows:
            continue
        wall, count, inside = rows[name]
        total[0] += wall
        total[1] += count
        total[2] += inside
        print(f"  {name:10s} {wall / 1e3:9.2f} {count:6d} {inside / 1e3:10.2f} "
              f"{(wall - inside) / 1e3:11.2f}")
    print(f"  {'step':10s} {total[0] / 1e3:9.2f} {total[1]:6d} {total[2] / 1e3:10.2f} "
          f"{(total[0] - total[2]) / 1e3:11.2f}")
    for scope in ("step", "loss"):
        selected = [o for o in ops if scope == "step" or phase_of(o["ts"], phases) == scope]
        agg = collections.defaultdict(lambda: [0.0, 0])
        for o in selected:
            agg[o["name"]][0] += o["self"]
            agg[o["name"]][1] += 1
        print(f"  heaviest ops by self time ({scope}):")
        for name, (self_us, calls) in sorted(agg.items(), key=lambda kv: -kv[1][0])[:top]:
            print(f"    {self_us / 1e3:8.2f} ms {calls:5d}x  {name}")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("traces", nargs="+", metavar="NAME=TRACE.json")
    args = ap.parse_args()
    for item in args.traces:
        label, _, path = item.rpartition("=")
        if not os.path.isfile(path):
            print(f"profile_summary: trace not found: {path}", file=sys.stderr)
            sys.exit(2)
        summarize(label or path, path, args.top)


if __name__ == "__main__":
    main()
