#!/usr/bin/env python3
"""The side-by-side benchmark's figures, and the copy of them in docs/benchmarks.md.

  report.py write <runs.tsv> <out.md> <conditions> <cores> <round-trips.md>
                                                     the results page from the runs
  report.py splice <results.md> <page.md>            puts the page between page.md's markers
  report.py check <results.md>... <page.md>          exit 1 unless page.md holds each unchanged

page.md is docs/benchmarks.md, which the scripts that write results (scripts/bench/run,
context-cost, summary-cost, scripts/attack --record) splice and scripts/test checks. The
markers of results.md are the line `<!-- results.md: written by …; do not edit by hand -->`
before it and `<!-- end of results.md -->` after it.

runs.tsv (written by scripts/bench/run): round, implementation, route, the 1-minute load
average when the run started, then the wrk/pgbench RESULT fields (key=value).
"""
import statistics
import sys


# (label, numerator, denominator): implementation/route pairs whose throughput is compared.
RATIOS = [
    ("`POST /exchange`: server / Express", ("server", "exchange"), ("express", "exchange")),
    ("vehicles page: server / Express", ("server", "vehicles"), ("express", "vehicles")),
    ("vehicles page: server / PostGraphile", ("server", "vehicles"), ("postgraphile", "graphql")),
    ("vehicles page: server / pgbench, same statement", ("server", "vehicles"), ("pgbench", "vehicles")),
]
ROWS = [
    ("`POST /exchange`", "server", "exchange"),
    ("`POST /exchange`", "express", "exchange"),
    ("vehicles page", "server", "vehicles"),
    ("vehicles page", "express", "vehicles"),
    ("vehicles page (`POST /graphql`)", "postgraphile", "graphql"),
    ("vehicles page (SQL only)", "pgbench", "vehicles"),
]
NAMES = {"server": "server (Rust)", "express": "Express + jose + pg", "postgraphile": "PostGraphile 4",
         "pgbench": "pgbench, same statement"}


def read_runs(path):
    runs = {}
    for line in open(path):
        rnd, impl, route, load, *fields = line.split()
        values = dict(f.split("=", 1) for f in fields if "=" in f)
        runs.setdefault((impl, route), []).append({"round": int(rnd), "load": float(load),
                                                   **{k: float(v) for k, v in values.items()}})
    return runs


def fmt(x, digits=0):
    return f"{x:,.{digits}f}"


def write(runs_path, out_path, conditions, cores, round_trips):
    runs = read_runs(runs_path)
    cores = int(cores)
    loads = [r["load"] for rs in runs.values() for r in rs]
    out = [conditions, "",
           f"Load average (1 min) when each run started: {min(loads):.1f} to {max(loads):.1f}. "
           "Other work on the machine lowers every figure and adds noise; the ratios "
           "compare runs of the same round, which alternate.", "",
           "| route | implementation | throughput per round (req/s) | mean | p50 per round (ms) | p99 per round (ms) | errors |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for label, impl, route in ROWS:
        rs = runs.get((impl, route), [])
        if not rs:
            continue
        per = lambda key, d=0: " / ".join(fmt(r[key], d) for r in rs)
        errors = sum(r.get("errors", 0) + r.get("non2xx", 0) for r in rs)
        out.append(f"| {label} | {NAMES[impl]} | {per('rps')} | {fmt(statistics.mean(r['rps'] for r in rs))} "
                   f"| {per('p50_ms', 1)} | {per('p99_ms', 1)} | {errors:.0f} |")
    out += ["", "| ratio (throughput) | per round | of the means |", "| --- | --- | --- |"]
    for label, num, den in RATIOS:
        a, b = runs.get(num, []), runs.get(den, [])
        if not a or not b:
            continue
        per = " / ".join(f"{x['rps'] / y['rps']:.2f}" for x, y in zip(a, b))
        mean = statistics.mean(x["rps"] for x in a) / statistics.mean(y["rps"] for y in b)
        out.append(f"| {label} | {per} | **{mean:.2f}** |")
    out += ["", "| p99 latency, mean of the rounds (ms) | server | Express | PostGraphile | pgbench |",
            "| --- | --- | --- | --- | --- |"]
    for label, route, graph in (("`POST /exchange`", "exchange", None), ("vehicles page", "vehicles", "graphql")):
        cells = []
        for impl in ("server", "express", "postgraphile", "pgbench"):
            rs = runs.get((impl, graph if impl == "postgraphile" else route), [])
            cells.append(fmt(statistics.mean(r["p99_ms"] for r in rs), 1) if rs else "n/a")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    out += cpu_table(runs, cores)
    out += targets(runs)
    out += ["", "Round trips per request, warm (`server/tests/api/pooling/`, run by the same script: a "
            "relay between the pool and PostgreSQL counts PostgreSQL's `ReadyForQuery` answers; the "
            "request waits for the round trips, not for sqlx's ping when the pool takes the "
            "connection back):", "",
            "| request | round trips | release pings |", "| --- | --- | --- |",
            *open(round_trips).read().splitlines()]
    open(out_path, "w").write("\n".join(out) + "\n")


def cpu_sum(runs, key, without_own=False):
    rs = runs.get(key, [])
    if not rs or not all("pg_cpu_ms" in r for r in rs):
        return None
    parts = ["pg_cpu_ms", "gen_cpu_ms"] + ([] if without_own else ["cpu_ms"])
    return statistics.mean(sum(r.get(k, 0) for k in parts) for r in rs)


def targets(runs):
    """Issue 14's targets against this run, and for each throughput ratio the most the machine
    allows: the ratio of CPU sums if the server's own processes took no CPU at all (PostgreSQL
    and the load generator still do)."""
    def ratio(num, den):
        a, b = runs.get(num), runs.get(den)
        return statistics.mean(x["rps"] for x in a) / statistics.mean(y["rps"] for y in b) if a and b else None

    def bound(num, den):
        floor, other = cpu_sum(runs, num, without_own=True), cpu_sum(runs, den)
        return f"{other / floor:.2f}" if floor and other else "n/a"

    def p99(impl, route):
        rs = runs.get((impl, route))
        return statistics.mean(r["p99_ms"] for r in rs) if rs else None

    rows = []
    for label, num, den, goal in (
            ("`POST /exchange` ≥ 4× Express", ("server", "exchange"), ("express", "exchange"), 4.0),
            ("vehicles page ≥ 4× Express", ("server", "vehicles"), ("express", "vehicles"), 4.0),
            ("vehicles page ≥ 0.9× pgbench, same statement", ("server", "vehicles"), ("pgbench", "vehicles"), 0.9)):
        r = ratio(num, den)
        if r is not None:
            rows.append(f"| {label} | {r:.2f} | {'**met**' if r >= goal else '**not met**'} | {bound(num, den)} |")
    peers = {"exchange": [p99("express", "exchange")],
             "vehicles": [p99("express", "vehicles"), p99("postgraphile", "graphql")]}
    ours = [(p99("server", route), min(filter(None, peers[route]), default=None)) for route in peers]
    if all(a is not None and b is not None for a, b in ours):
        met = all(a < b for a, b in ours)
        rows.append("| p99 below every peer's, both routes | " + " / ".join(f"{a:.1f} < {b:.1f} ms" for a, b in ours)
                    + f" | {'**met**' if met else '**not met**'} | |")
    if not rows:
        return []
    return ["", "| target (issue 14) | this run | | most the machine allows (server at zero CPU) |",
            "| --- | --- | --- | --- |", *rows]


def cpu_table(runs, cores):
    """Where each request's CPU goes: the implementation, PostgreSQL and the load generator
    share the machine's cores, so their sum bounds the throughput of a CPU-bound run."""
    out = ["", f"CPU per request (user + system time over the run's requests, mean of the rounds): "
           "the implementation's processes, PostgreSQL's (every backend), and the load generator's "
           f"(wrk or pgbench). All three share the {cores} cores, so {cores} × 1,000 ms ÷ their sum is "
           "the most requests per second the machine could answer.", "",
           "| route | implementation | implementation (ms) | PostgreSQL (ms) | load generator (ms) | sum (ms) "
           f"| {cores} cores ÷ sum (req/s) | measured (req/s) |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, impl, route in ROWS:
        rs = runs.get((impl, route), [])
        if not rs or not all("pg_cpu_ms" in r for r in rs):
            continue
        mean = lambda key: statistics.mean(r.get(key, 0) for r in rs)
        own, pg, gen = mean("cpu_ms"), mean("pg_cpu_ms"), mean("gen_cpu_ms")
        total = own + pg + gen
        own_cell = fmt(own, 3) if impl != "pgbench" else "–"
        out.append(f"| {label} | {NAMES[impl]} | {own_cell} | {fmt(pg, 3)} | {fmt(gen, 3)} | {fmt(total, 3)} "
                   f"| {fmt(cores * 1000 / total)} | {fmt(mean('rps'))} |")
    return out


def block(results, readme):
    text = open(readme).read()
    begin, end = text.find(f"<!-- {results}: written by "), text.find(f"<!-- end of {results} -->")
    if begin < 0 or end < begin:
        sys.exit(f"{readme}: the markers of {results} are missing")
    return text, text.index("\n", begin) + 1, end


def main():
    command, *args = sys.argv[1:]
    if command == "write":
        write(*args)
    elif command == "splice":
        results, readme = args
        text, start, end = block(results, readme)
        open(readme, "w").write(text[:start] + open(results).read() + text[end:])
    elif command == "check":
        *all_results, readme = args
        for results in all_results:
            text, start, end = block(results, readme)
            if text[start:end] != open(results).read():
                sys.exit(f"{readme}'s figures differ from {results}: run "
                         f"`scripts/bench/report.py splice {results} {readme}` (never edit either by hand)")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
