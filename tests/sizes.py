#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Size limits of the sources: no file over 1,200 lines, no function over 120.

Usage: sizes.py SOURCE_ROOT

Every file under SOURCE_ROOT/src counts (C sources, headers, .def lists);
functions are the C functions defined in its .c and .h files, measured
from the line of their name to their closing brace. Prints TAP (suite
'meta'): one test per limit, naming each offender with its size. Past the
limits a file holds several concepts, a function several steps: split the
file by concept (CONTRIBUTING.md, "Layout"), the function into named steps.
"""
import os
import re
import sys

MAX_FILE_LINES = 1200
MAX_FUNCTION_LINES = 120

IDENT_BEFORE = re.compile(r'([A-Za-z_]\w*)\s*$')


def blank(text):
    """text with comments, string and character literals and preprocessor
    lines turned into spaces, newlines kept, so that braces and parentheses
    are code and line numbers are unchanged."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == '#':
            # A directive, with its backslash continuations.
            while i < n and text[i] != '\n':
                if text[i] == '\\' and i + 1 < n and text[i + 1] == '\n':
                    out.append(' \n')
                    i += 2
                    continue
                out.append(' ')
                i += 1
            continue
        if c == '/' and text.startswith('//', i):
            while i < n and text[i] != '\n':
                out.append(' ')
                i += 1
            continue
        if c == '/' and text.startswith('/*', i):
            end = text.find('*/', i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:end]))
            i = end
            continue
        if c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            out.append(' ' * (min(j + 1, n) - i))
            i = j + 1
            continue
        out.append(c)
        if c == '\n':
            at_line_start = True
        elif not c.isspace():
            at_line_start = False
        i += 1
    return ''.join(out)


def functions(text):
    """(name, first line, line count) of each function defined in text."""
    code = blank(text)
    found = []
    depth = 0
    head_start = 0  # where the current top-level declaration began
    open_at = None
    for i, c in enumerate(code):
        if c == '{':
            if depth == 0:
                open_at = i
            depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0 and open_at is not None:
                name = function_name(code[head_start:open_at])
                if name:
                    first = head_start + code[head_start:open_at].find(name[1])
                    start_line = code.count('\n', 0, first) + 1
                    end_line = code.count('\n', 0, i) + 1
                    found.append((name[0], start_line,
                                  end_line - start_line + 1))
                open_at = None
                head_start = i + 1
        elif c == ';' and depth == 0:
            head_start = i + 1
    return found


def function_name(head):
    """(name, text to find its line) when head, the text before a top-level
    '{', is a function's declarator; None for struct, enum, union and
    initialisers."""
    head = head.strip()
    if not head.endswith(')') or re.match(r'(typedef|struct|union|enum)\b',
                                           head):
        return None
    # The parameter list: the parenthesis matching the last one.
    depth = 0
    for k in range(len(head) - 1, -1, -1):
        if head[k] == ')':
            depth += 1
        elif head[k] == '(':
            depth -= 1
            if depth == 0:
                break
    else:
        return None
    before = head[:k]
    if '=' in before:
        return None
    m = IDENT_BEFORE.search(before)
    if not m:
        return None
    return m.group(1), head[m.start(1):k + 1]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    root = argv[1]
    big_files, big_functions = [], []
    src = os.path.join(root, 'src')
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            lines = text.count('\n')
            if lines > MAX_FILE_LINES:
                big_files.append(f'{rel}: {lines} lines')
            if name.endswith(('.c', '.h')):
                for fn, line, count in functions(text):
                    if count > MAX_FUNCTION_LINES:
                        big_functions.append(
                            f'{rel}:{line}: {fn}(): {count} lines')
    print('1..2')
    checks = [
        (big_files, f'no file under src/ over {MAX_FILE_LINES} lines',
         'split it by concept'),
        (big_functions, f'no function over {MAX_FUNCTION_LINES} lines',
         'split it into named steps'),
    ]
    failed = 0
    for number, (offenders, what, fix) in enumerate(checks, 1):
        if not offenders:
            print(f'ok {number} - {what}')
            continue
        failed += 1
        print(f'not ok {number} - {what} ({len(offenders)} over: {fix})')
        for o in offenders:
            print(f'#   {o}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
