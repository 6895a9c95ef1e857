#!/usr/bin/env python3
"""Compares a fresh run of the shipped demo models with models/demo/metrics.json.

usage: compare_demo_metrics.py METRICS RETRIEVAL_EVAL DRL_EVAL DEMO_REPORT DEMO_LOG
Exits 1 and lists every figure outside its tolerance; also checks that every figure of the
report appears in the demo's printed table (the printed figures match the report).
"""
import json
import sys


def main(argv):
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    documented = json.load(open(argv[1]))
    retrieval = json.load(open(argv[2]))
    if isinstance(retrieval, list):  # eval ir --json: one entry per direction
        retrieval = {entry["direction"]: entry for entry in retrieval}
    drl = json.load(open(argv[3]))
    report = json.load(open(argv[4]))
    log = open(argv[5]).read()
    failures = []
    checked = 0

    def check(name, got, want, tol):
        nonlocal checked
        checked += 1
        if abs(got - want) > tol:
            failures.append(f"{name}: got {got:.4f}, documented {want:.4f} (tolerance {tol})")

    for direction, want in documented["retrieval"]["metrics"].items():
        got = retrieval[direction]
        for key in ("recall@1", "recall@5", "ap"):
            check(f"retrieval {direction} {key}", got[key], want[key], 0.5)
    for key, want in documented["drl"]["metrics"].items():
        got = drl
        for part in key.split("."):
            got = got[part]
        check(f"drl {key}", float(got), want, 0.005)
    frames = documented["demo"]["frames"]
    tracks = {t["label"]: t for t in report["tracks"]}
    for label, want in documented["demo"]["tracks"].items():
        got = tracks[label]
        check(f"demo {label} recall@1", got["recall@1"], want["recall@1"], 1.0 / frames + 1e-9)
        for k, v in want["ma"].items():
            check(f"demo {label} {k}", got["ma"][k], v, 1.0 / frames + 1e-9)
        # The printed table holds the report's figures (in %, one decimal).
        row = next((line for line in log.splitlines() if line.startswith(label + " ")), None)
        if row is None:
            failures.append(f"demo output has no table row for {label}")
            continue
        printed = [f"{100.0 * got['recall@1']:.1f}"] + [f"{100.0 * got['ma'][k]:.1f}" for k in sorted(got["ma"], key=lambda s: int(s[3:]))]
        if row.split()[2:2 + len(printed)] != printed:
            failures.append(f"printed row {row!r} does not match the report {printed}")
    for f in failures:
        print("MISMATCH", f)
    print(f"{checked} figures checked, {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
