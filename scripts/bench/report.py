#!/usr/bin/env python3
"""The side-by-side benchmark's figures, and the README's copy of them.

  report.py write <runs.tsv> <out.md> <conditions>   the results page from the runs
  report.py splice <results.md> <README.md>          puts the page between the README's markers
  report.py check <results.md> <README.md>           exit 1 unless the README holds it unchanged

runs.tsv (written by scripts/bench/run): round, implementation, route, the 1-minute load
average when the run started, then the wrk/pgbench RESULT fields (key=value).
"""
import statistics
import sys

BEGIN = "<!-- scripts/bench/results.md: written by scripts/bench/run; do not edit by hand -->"
END = "<!-- end of scripts/bench/results.md -->"

# (label, numerator, denominator): implementation/route pairs whose throughput is compared.
RATIOS = [
    ("`POST /exchange`: server / Express", ("server", "exchange"), ("express", "exchange")),
    ("vehicles page: server / Express", ("server", "vehicles"), ("express", "vehicles")),
    ("vehicles page: server / PostGraphile", ("server", "vehicles"), ("postgraphile", "graphql")),
    ("vehicles page: server / pgbench, same transaction", ("server", "vehicles"), ("pgbench", "vehicles")),
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
         "pgbench": "pgbench, same transaction"}


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


def write(runs_path, out_path, conditions):
    runs = read_runs(runs_path)
    loads = [r["load"] for rs in runs.values() for r in rs]
    out = [conditions, "",
           f"Load average (1 min) when each run started: {min(loads):.1f} to {max(loads):.1f}. "
           "Other work on the machine lowers every figure and adds noise; the ratios "
           "compare runs of the same round, which alternate. CPU per request is the user and "
           "system time of the implementation's processes (PostgreSQL's not included) over "
           "the requests of the run.", "",
           "| route | implementation | throughput per round (req/s) | mean | p50 per round (ms) | p99 per round (ms) | CPU per request (ms) | errors |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for label, impl, route in ROWS:
        rs = runs.get((impl, route), [])
        if not rs:
            continue
        per = lambda key, d=0: " / ".join(fmt(r[key], d) for r in rs)
        errors = sum(r.get("errors", 0) + r.get("non2xx", 0) for r in rs)
        cpu = per("cpu_ms", 3) if all("cpu_ms" in r for r in rs) else "n/a"
        out.append(f"| {label} | {NAMES[impl]} | {per('rps')} | {fmt(statistics.mean(r['rps'] for r in rs))} "
                   f"| {per('p50_ms', 1)} | {per('p99_ms', 1)} | {cpu} | {errors:.0f} |")
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
    open(out_path, "w").write("\n".join(out) + "\n")


def block(readme):
    text = open(readme).read()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        sys.exit(f"{readme}: the results markers are missing")
    return text, start + len(BEGIN) + 1, end


def main():
    command, *args = sys.argv[1:]
    if command == "write":
        write(*args)
    elif command == "splice":
        results, readme = args
        text, start, end = block(readme)
        open(readme, "w").write(text[:start] + open(results).read() + text[end:])
    elif command == "check":
        results, readme = args
        text, start, end = block(readme)
        if text[start:end] != open(results).read():
            sys.exit(f"{readme}'s benchmark figures differ from {results}: run "
                     f"`scripts/bench/report.py splice {results} {readme}` (never edit either by hand)")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
