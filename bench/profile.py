#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Summarise callgrind profiles of asynclint and the floor (bench/profile.sh).

    profile.py ASYNCLINT.callgrind.out FLOOR.callgrind.out

Prints, as Markdown: the instruction counts of the pipeline's stages
(inclusive counts of their entry points), asynclint / floor, and the top
functions by self count with their inclusive count and group. Needs
callgrind_annotate; the binaries should carry -g (file names group them).
"""
import re
import subprocess
import sys

LINE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*?)(?: \[(.*)\])?$")


def annotate(path, inclusive):
    cmd = ["callgrind_annotate", "--threshold=100", "--auto=no",
           f"--inclusive={'yes' if inclusive else 'no'}", path]
    text = subprocess.run(cmd, capture_output=True, text=True,
                          check=True).stdout
    total = 0
    rows = {}
    for line in text.splitlines():
        m = LINE.match(line)
        if not m or "=>" in line:
            continue
        n = int(m.group(1).replace(",", ""))
        what = m.group(2)
        if what.startswith("PROGRAM TOTALS"):
            total = n
            continue
        # Inlined code of a header shows up as header:function; add them.
        rows[what] = rows.get(what, 0) + n
    return total, rows


def func_of(what):
    return what.rsplit(":", 1)[-1]


def file_of(what):
    return what.rsplit(":", 1)[0] if ":" in what else ""


def group(what):
    f, fn = file_of(what), func_of(what)
    base = fn.split(".")[0].split("'")[0]
    if re.match(r"(ts_tree_cursor|ts_node)", base):
        return "tree-sitter tree API (our walk)"
    if base in ("ts_tree_delete", "ts_subtree_release"):
        return "tree-sitter free tree"
    if "malloc" in f or base in ("malloc", "free", "calloc", "realloc",
                                 "_int_malloc", "_int_free",
                                 "malloc_consolidate", "_int_realloc",
                                 "unlink_chunk"):
        return "libc malloc/free"
    if "node_modules" in f or base.startswith(("ts_", "stack_", "stack__",
                                               "tree_sitter_")):
        return "tree-sitter parse"
    if "/src/facts/" in f or "/src/syntax/" in f:
        return "extraction (src/facts, src/syntax)"
    if "/src/model/" in f:
        return "index (src/model)"
    if "/src/rules/" in f or "/src/suppress/" in f:
        return "rules + suppression"
    if "/src/report/" in f or "cli/output" in f:
        return "report"
    if "/src/source/" in f:
        return "read + discovery"
    if "/src/cache/" in f:
        return "cache"
    return "other (libc, base/, cli/)"


def incl(rows, name):
    """Inclusive count of a function named name (any file)."""
    return sum(n for w, n in rows.items() if func_of(w) == name)


def main():
    a_total, a_self = annotate(sys.argv[1], False)
    _, a_incl = annotate(sys.argv[1], True)
    f_total, f_self = annotate(sys.argv[2], False)
    _, f_incl = annotate(sys.argv[2], True)

    g = lambda n: f"{n / 1e9:.3f}"
    parse = incl(a_incl, "al_parser_parse")
    free_tree = incl(a_incl, "ts_tree_delete")
    extract = incl(a_incl, "al_extract")
    # al_source_read reads and decodes; the cache path calls its halves.
    read = incl(a_incl, "al_source_read") or (
        incl(a_incl, "al_source_read_bytes") + incl(a_incl, "al_source_decode"))
    stages = [
        ("read + decode (al_source_read*)", read),
        ("parse (al_parser_parse)", parse),
        ("free tree (ts_tree_delete)", free_tree),
        ("extraction walk (al_extract - parse - free)",
         extract - parse - free_tree),
        ("index, per file (al_index_prepare_file, in the workers)",
         incl(a_incl, "al_index_prepare_file")),
        ("index (al_index_build)", incl(a_incl, "al_index_build")),
        ("rules + suppression (rules_worker)", incl(a_incl, "rules_worker")),
        ("report (al_output_report)", incl(a_incl, "al_output_report")),
        ("teardown (al_run_free)", incl(a_incl, "al_run_free")),
    ]
    rest = a_total - sum(n for _, n in stages)
    stages.append(("other (discovery, setup, exit)", rest))
    print(f"asynclint: {g(a_total)} G instructions; floor: {g(f_total)} G; "
          f"asynclint / floor = {a_total / f_total:.3f}\n")
    print("| stage | asynclint G Ir | % | floor G Ir |")
    print("|---|--:|--:|--:|")
    fl = {"read + decode (al_source_read*)": incl(f_incl, "al_source_read"),
          "parse (al_parser_parse)": incl(f_incl, "al_parser_parse"),
          "free tree (ts_tree_delete)": incl(f_incl, "ts_tree_delete")}
    for name, n in stages:
        print(f"| {name} | {g(n)} | {100 * n / a_total:.1f} | "
              f"{g(fl[name]) if name in fl else ''} |")
    print(f"| **total** | {g(a_total)} | 100 | {g(f_total)} |\n")

    for label, total, self_, inc in (("asynclint", a_total, a_self, a_incl),
                                     ("floor", f_total, f_self, f_incl)):
        groups = {}
        for w, n in self_.items():
            groups[group(w)] = groups.get(group(w), 0) + n
        print(f"{label}: self counts by group\n")
        print("| group | G Ir (self) | % |")
        print("|---|--:|--:|")
        for k, n in sorted(groups.items(), key=lambda kv: -kv[1]):
            print(f"| {k} | {g(n)} | {100 * n / total:.1f} |")
        print()
        # Merge header-inlined pieces by function name for the top list.
        by_fn = {}
        for w, n in self_.items():
            fn = func_of(w)
            key = fn
            if key not in by_fn:
                by_fn[key] = [0, w]
            by_fn[key][0] += n
            if "node_modules" not in file_of(by_fn[key][1]) and \
                    file_of(w).endswith(".c"):
                by_fn[key][1] = w
        top = sorted(by_fn.items(), key=lambda kv: -kv[1][0])[:25]
        print(f"{label}: top 25 functions by self count\n")
        print("| # | function | file | self G Ir | self % | inclusive G Ir "
              "| group |")
        print("|--:|---|---|--:|--:|--:|---|")
        for i, (fn, (n, w)) in enumerate(top, 1):
            f = file_of(w)
            f = re.sub(r".*/tree-sitter/lib/src/[./]*", "tree-sitter:", f)
            f = re.sub(r".*/tree-sitter-python/src/[./]*", "grammar:", f)
            f = re.sub(r".*?/src/(?!.*/src/)", "src/", f)
            f = re.sub(r"^[./]*(.*/)?", "libc:" if "malloc" in f or
                       "string" in f else "", f) if "src/" not in f and \
                ":" not in f else f
            print(f"| {i} | `{fn}` | {f} | {g(n)} | {100 * n / total:.1f} "
                  f"| {g(incl(inc, fn))} | {group(w)} |")
        print()


if __name__ == "__main__":
    main()
