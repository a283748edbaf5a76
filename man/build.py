#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build the man page: man/asynclint.1.in with its placeholders filled.

Usage: build.py ASYNCLINT TEMPLATE OUTPUT VERSION

The line `.\\" @RULES@` becomes the output of `ASYNCLINT --man-rules` (the
rule descriptors as roff) and `@VERSION@` the project version, so the page's
RULES section and `asynclint --explain` come from one source. Meson runs it
(the `manpage` target); nothing else should.
"""
import subprocess
import sys

RULES_MARK = '.\\" @RULES@'


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2])
    binary, template, output, version = argv[1:]
    with open(template, encoding='utf-8') as f:
        lines = f.read().split('\n')
    if lines.count(RULES_MARK) != 1:
        sys.exit(f'{template}: expected exactly one line {RULES_MARK!r}')
    rules = subprocess.run([binary, '--man-rules'], check=True,
                           stdout=subprocess.PIPE, encoding='utf-8').stdout
    out = []
    for line in lines:
        if line == RULES_MARK:
            out.append(rules.rstrip('\n'))
        else:
            out.append(line.replace('@VERSION@', version))
    with open(output, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out))


if __name__ == '__main__':
    main(sys.argv)
