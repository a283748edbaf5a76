#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Re-runs against cold runs (issue 20 item 5), by hand, never in a test.

On a working copy of the corpus (hard links, so nothing is copied; an
edit replaces the file, which breaks the link and leaves the corpus as
it was) and of a scale tree (N copies of it), it times, interleaved round by round:

  cold      --no-cache: what a first run costs
  first     with the cache, empty: the run that fills it
  nothing   with the cache, nothing changed since the last run
  leaf      one file changed that little imports (aiohttp/worker.py)
  core      one file changed that its package imports everywhere
  moved     nothing changed, but the checkout moved (another directory,
            as a CI cache restored into a fresh checkout): stat data are
            not trusted there, every file is read and hashed

each with the default thread count (the machine's cores) and with
--threads 1, and reports medians of wall time and peak RSS (wait4) and
the ratios to the cold run of the same thread count. The edits add a
function at the end of the file (new content, new findings possible);
each timed warm run is preceded by one untimed run that saves the state
the next one starts from. Standard library only.

Usage: bench/rerun.py [-B BUILDDIR] [-r ROUNDS] [--scale N] [-R ROUNDS]
(defaults: 3 rounds on the corpus, 1 on the scale tree of 4 copies)
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))
import bench  # noqa: E402  (corpus_roots)

OUT = os.path.join(REPO, ".cache", "bench", "rerun")
FLAGS = ["--isolated", "--exit-zero", "-q", "--stats"]
# A module nothing imports, and one its whole package imports.
LEAF = "python3-aiohttp/usr/lib/python3/dist-packages/aiohttp/worker.py"
CORE = "python3-aiohttp/usr/lib/python3/dist-packages/aiohttp/helpers.py"


def link_tree(roots, dest, copies):
    """dest/kK/PACKAGE/...: hard-linked copies of each root; returns the
    paths relative to dest, so that the checkout can move."""
    shutil.rmtree(dest, ignore_errors=True)
    paths = []
    for k in range(copies):
        for pkg, root in roots:
            rel = os.path.join(f"k{k}", pkg, os.path.relpath(
                root, os.path.join(bench.CORPUS, "src", pkg)))
            os.makedirs(os.path.dirname(os.path.join(dest, rel)),
                        exist_ok=True)
            subprocess.run(["cp", "-al", root, os.path.join(dest, rel)],
                           check=True)
            paths.append(rel)
    return paths


def run(binary, cwd, paths, extra):
    """Wall seconds, peak RSS in MiB (wait4), --stats, stdout."""
    cmd = [binary] + FLAGS + extra + paths
    with open(os.path.join(OUT, "stdout"), "w+b") as out, \
            open(os.path.join(OUT, "stderr"), "w+b") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errs = out.read(), err.read().decode()
    if p.returncode != 0:
        sys.exit(f"rerun: {cmd} exited {p.returncode}: {errs[:400]}")
    stats = dict(re.findall(r"^stats: (\S+) (\S+)$", errs, re.M))
    return wall, ru.ru_maxrss / 1024, stats, text


EDITS = [0]


def edit(path):
    """New content (a new function at the end, numbered anew each time),
    as a new file."""
    EDITS[0] += 1
    n = EDITS[0]
    with open(path) as f:
        text = f.read()
    text = re.sub(r"\n# al-bench-edit.*", "", text, flags=re.S)
    text += f"\n# al-bench-edit {n}\nasync def _al_bench_edit_{n}():\n" \
        f"    pass\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def measure(binary, tree, paths, rounds, threads, label):
    base = os.path.join(OUT, tree)
    extra = ["--threads", str(threads)] if threads else []
    cache = os.path.join(OUT, f"cache-{tree}-{threads}")
    moved_a = os.path.join(OUT, "moved-a")
    res = {k: [] for k in ("cold", "first", "nothing", "leaf", "core",
                           "moved")}
    rss = {k: [] for k in res}
    checked = {}
    same = True
    for r in range(rounds):
        shutil.rmtree(cache, ignore_errors=True)
        cold = run(binary, base, paths, extra + ["--no-cache"])
        first = run(binary, base, paths, extra + ["--cache-dir", cache])
        same &= cold[3] == first[3]
        time.sleep(1.1)  # past the racy second of the saved run
        run(binary, base, paths, extra + ["--cache-dir", cache])
        nothing = run(binary, base, paths, extra + ["--cache-dir", cache])
        same &= nothing[3] == cold[3]
        for key, rel in (("leaf", LEAF), ("core", CORE)):
            target = os.path.join(base, "k0", rel)
            edit(target)
            time.sleep(1.1)
            one = run(binary, base, paths, extra + ["--cache-dir", cache])
            ref = run(binary, base, paths, extra + ["--no-cache"])
            same &= one[3] == ref[3]
            last_ref = ref[3]
            res[key].append(one[0])
            rss[key].append(one[1])
            checked[key] = one[2].get("rechecked")
            run(binary, base, paths, extra + ["--cache-dir", cache])
        # The checkout moves: the same relative paths from another place.
        os.rename(base, moved_a)
        try:
            moved = run(binary, moved_a, paths,
                        extra + ["--cache-dir", cache])
        finally:
            os.rename(moved_a, base)
        same &= moved[3] == last_ref
        res["moved"].append(moved[0])
        rss["moved"].append(moved[1])
        for key, v in (("cold", cold), ("first", first),
                       ("nothing", nothing)):
            res[key].append(v[0])
            rss[key].append(v[1])
        print(f"  {label} round {r + 1}: cold {cold[0]:.2f}s nothing "
              f"{nothing[0]:.3f}s leaf {res['leaf'][-1]:.3f}s core "
              f"{res['core'][-1]:.3f}s moved {moved[0]:.3f}s",
              file=sys.stderr)
    med = {k: statistics.median(v) for k, v in res.items()}
    mrss = {k: statistics.median(v) for k, v in rss.items()}
    return med, mrss, checked, same


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-B", default="build-bench")
    ap.add_argument("-r", type=int, default=3)
    ap.add_argument("-R", type=int, default=1,
                    help="rounds on the scale tree")
    ap.add_argument("--scale", type=int, default=4,
                    help="copies of the corpus in the scale tree (0: none)")
    a = ap.parse_args()
    binary = os.path.join(REPO, a.B, "asynclint")
    if not os.access(binary, os.X_OK):
        sys.exit(f"rerun: no {binary} (meson setup {a.B} "
                 f"--buildtype=release -Dtests=false; ninja -C {a.B})")
    roots = [(pkg, os.path.abspath(r)) for pkg, r in bench.corpus_roots()]
    os.makedirs(OUT, exist_ok=True)
    trees = [("corpus", 1, a.r)] + \
        ([(f"scale-{a.scale}x", a.scale, a.R)] if a.scale > 1 else [])
    rows = []
    for tree, copies, rounds in trees:
        paths = link_tree(roots, os.path.join(OUT, tree), copies)
        files, size = bench.py_size(os.path.join(OUT, tree, p)
                                    for p in paths)
        print(f"==> {tree}: {files} files, {size / 1e6:.1f} MB",
              file=sys.stderr)
        for threads in (0, 1):
            label = f"{tree} -j{threads or os.cpu_count()}"
            med, mrss, checked, same = measure(binary, tree, paths, rounds,
                                               threads, label)
            rows.append((label, files, size, med, mrss, checked, same))
    print("| tree | files | MB | cold s | first s | nothing s (ratio) | "
          "leaf s (ratio, re-checked) | core s (ratio, re-checked) | "
          "moved s (ratio) | RSS MiB cold / nothing / core | same output |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for label, files, size, med, mrss, checked, same in rows:
        c = med["cold"]
        print(f"| {label} | {files} | {size / 1e6:.1f} | {c:.2f} | "
              f"{med['first']:.2f} | {med['nothing']:.3f} "
              f"({med['nothing'] / c:.3f}) | {med['leaf']:.3f} "
              f"({med['leaf'] / c:.3f}, {checked.get('leaf')}) | "
              f"{med['core']:.3f} ({med['core'] / c:.3f}, "
              f"{checked.get('core')}) | {med['moved']:.3f} "
              f"({med['moved'] / c:.3f}) | {mrss['cold']:.0f} / "
              f"{mrss['nothing']:.0f} / {mrss['core']:.0f} | "
              f"{'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
