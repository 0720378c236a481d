#!/usr/bin/env python3
"""Fails when modules of a crate import each other in a circle.

  module-cycles.py <crate>/src ...

Modules in a circle can be neither understood, tested nor moved out one at a time, and
rustc accepts them, so a circle only grows unless something fails on the first edge.
Every `crate::`/`super::`/`self::` path counts (use trees, expressions, attributes such as
`#[openapi(paths(…))]`; comments and strings blanked), credited to the two siblings under
the common parent: auth::context → db::read is auth → db. A child reaching its ancestors
(a test module's `use super::*`) is no circle; an inline `mod x { … }` is a child of its
file. Text, not cargo, so that it takes a fifth of a second beside a running build.
"""
import bisect
import os
import re
import sys

# Comments, strings and char literals, blanked so that their text is never read as code.
NOISE = re.compile(r"""//[^\n]*|/\*|(?<!\w)b?r(\#*)"|(?<!\w)b?"(?:\\.|[^"\\])*"|"""
                   r"""(?<!\w)b?'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]*\}|.)|[^\\'\n])'""", re.S)
KEYWORD = re.compile(r"(?<![\w$])(?<!::)(crate|super|self)(?=\s*::)")
IDENT = re.compile(r"\s*(?:r#)?([A-Za-z_]\w*)")
SEP = re.compile(r"\s*::\s*")
PUNCT = re.compile(r"\s*([{},*])")
AS = re.compile(r"\s+as\s+\w+")
INLINE_MOD = re.compile(r"\bmod\s+(\w+)\s*\{")
FILE_MOD = re.compile(r"\bmod\s+(\w+)\s*;")
PATH_ATTR = re.compile(r'\bpath\s*=\s*"([^"]*)"')
COMMENT, BRACE = re.compile(r"/\*|\*/"), re.compile(r"[{}]")
PUB_IN = re.compile(r"\bpub\s*\(\s*in\s[^)]*\)")  # a visibility, not a use


def blank(s):
    return re.sub(r"[^\n]", " ", s)


def strip(text):
    """The code with comments and literals turned to spaces; offsets and lines kept."""
    out, pos = [], 0
    while (m := NOISE.search(text, pos)):
        out.append(text[pos:m.start()])
        end = m.end()
        if m.group() == "/*":  # block comments nest
            depth, end = 1, len(text)
            for c in COMMENT.finditer(text, m.end()):
                depth += 1 if c.group() == "/*" else -1
                if not depth:
                    end = c.end()
                    break
        elif m.group(1) is not None:  # raw string: ends at the quote and as many #
            close = text.find('"' + m.group(1), end)
            end = len(text) if close < 0 else close + 1 + len(m.group(1))
        out.append(blank(text[m.start():end]))
        pos = end
    out.append(text[pos:])
    return PUB_IN.sub(lambda m: blank(m.group()), "".join(out))


def inline_mods(code):
    """(start, end, name) of each `mod name { … }`, by brace matching."""
    spans = []
    for m in INLINE_MOD.finditer(code):
        depth, end = 0, len(code)
        for b in BRACE.finditer(code, m.end() - 1):
            depth += 1 if b.group() == "{" else -1
            if not depth:
                end = b.end()
                break
        spans.append((m.start(), end, m.group(1)))
    return spans


def parse(code, pos, segs, out):
    """Follows a path from just after its segment `segs[-1]`; appends (segments, offset)."""
    last = pos
    while (m := SEP.match(code, pos)):
        pos = m.end()
        if (i := IDENT.match(code, pos)):
            segs, last, pos = segs + [i.group(1)], i.start(1), i.end()
        elif code.startswith("{", pos):  # a use group: each branch is a path of its own
            pos += 1
            while (p := PUNCT.match(code, pos)) is None or p.group(1) != "}":
                if p:  # a comma, or a glob
                    pos = p.end()
                elif (i := IDENT.match(code, pos)):
                    name = i.group(1)
                    branch = segs if name == "self" else segs + [name]
                    pos = parse(code, i.end(), branch, out)
                    if (a := AS.match(code, pos)):
                        pos = a.end()
                else:
                    return pos  # not Rust we understand; give up on this tree
            return p.end()
        else:
            break
    out.append((segs, last))
    return pos


class Crate:
    def __init__(self, src):
        self.src = src
        self.modules = {}  # module path (tuple) -> file, relative to src
        self.refs = []  # (from module, to path segments, file, line)
        roots = [r for r in ("lib.rs", "main.rs") if os.path.exists(os.path.join(src, r))]
        if not roots:
            sys.exit(f"module-cycles: {src}: no lib.rs or main.rs")
        self.read((), roots[0])

    def read(self, module, rel):
        self.modules[module] = rel
        with open(os.path.join(self.src, rel), encoding="utf-8") as f:
            text = f.read()
        code = strip(text)
        lines = [m.start() for m in re.finditer("\n", code)]
        spans = inline_mods(code)

        def at(pos):  # the module, inline modules included, that holds an offset
            return module + tuple(n for s, e, n in spans if s < pos < e)

        for s, e, n in spans:
            self.modules[at(s) + (n,)] = rel
        pos = 0
        for m in KEYWORD.finditer(code):
            if m.start() < pos:
                continue  # inside a path already followed (a use group)
            found = []
            pos = parse(code, m.end(), [m.group(1)], found)
            self.refs += [(at(m.start()), segs, rel, bisect.bisect_left(lines, off) + 1)
                          for segs, off in found]
        here = os.path.dirname(rel)
        base = here if os.path.basename(rel) in ("lib.rs", "main.rs", "mod.rs") else rel[:-3]
        for m in FILE_MOD.finditer(code):
            inner, name, s = at(m.start()), m.group(1), m.start()
            item = max(code.rfind(c, 0, s) for c in ";{}") + 1  # where its attributes begin
            attr = PATH_ATTR.search(text, item, s)
            if attr:
                cands = [os.path.normpath(os.path.join(here, attr.group(1)))]
            else:
                d = os.path.join(base, *inner[len(module):])
                cands = [os.path.join(d, name + ".rs"), os.path.join(d, name, "mod.rs")]
            found = [c for c in cands if os.path.exists(os.path.join(self.src, c))]
            if found:
                self.read(inner + (name,), found[0])
            else:
                print(f"module-cycles: {self.src}/{rel}: no file for mod {name}", file=sys.stderr)

    def resolve(self, frm, segs):
        """The longest module prefix that a path names; the rest is an item."""
        cur = () if segs[0] == "crate" else frm if segs[0] == "self" else frm[:-1]
        for seg in segs[1:]:
            if seg == "super":  # super::super::…
                cur = cur[:-1]
            elif cur + (seg,) in self.modules:
                cur += (seg,)
            else:
                return cur
        return cur

    def edges(self):
        """(a, b) -> first file:line where sibling a reaches into b."""
        edges = {}
        for frm, segs, rel, line in self.refs:
            to = self.resolve(frm, segs)
            n = len(os.path.commonprefix([frm, to]))
            if len(frm) > n and len(to) > n:
                edges.setdefault((frm[:n + 1], to[:n + 1]), f"{self.src}/{rel}:{line}")
        return edges


def shortest_cycle(start, succ):
    """A shortest circle through `start`, if any (breadth first)."""
    prev, queue = {start: None}, [start]
    for v in queue:
        for w in sorted(succ.get(v, ())):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1] + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)


def name(module):
    return "::".join(module) or "crate"


def main(srcs):
    if not srcs:
        sys.exit(__doc__)
    summary, circles = [], 0
    for src in srcs:
        src = src.rstrip("/")
        crate = Crate(src)
        edges = crate.edges()
        succ = {a: {y for x, y in edges if x == a} for a, _ in edges}
        summary.append(f"{src} ({len(crate.modules)} modules)")
        shown = set()
        for v in sorted(succ):  # a shortest circle through each module not yet on one shown
            if v in shown or not (cycle := shortest_cycle(v, succ)):
                continue
            shown.update(cycle)
            circles += 1
            print(f"module-cycles: {src}: " + " → ".join(name(m) for m in cycle))
            for a, b in zip(cycle, cycle[1:]):
                print(f"  {name(a)} → {name(b)}  {edges[a, b]}")
    if circles:
        sys.exit(1)
    print("module-cycles: no circles in " + ", ".join(summary))


if __name__ == "__main__":
    main(sys.argv[1:])
