#!/usr/bin/python3
"""The libraries' dependencies point one way (docs/layout.md has the picture).

Reads every #include "folder/..." of the project's sources and fails, naming
the file and the line, when a folder includes one it may not: one above it,
or one beside it that it does not stand on. Internal headers (a folder's
internal/) are for that folder only (and its tests and benchmarks).
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# What each folder may include besides itself and the generated schema
# (dibao/v1/..., grpc/health/...). Sub-folders are named in full.
ALLOWED = {
    "base": set(),
    "formats": {"base"},
    "storage": {"base"},
    "registry": {"storage", "base"},
    "feeds": {"registry", "storage", "formats", "base"},
    "matcher": {"registry", "feeds", "storage", "formats", "base"},
    "casework": {"matcher", "registry", "feeds", "storage", "formats", "base"},
    "reports": {"matcher", "registry", "feeds", "storage", "formats", "base"},
    "access": {"base"},
    "console/users": {"base"},
    "console": {"access", "console/users", "storage", "formats", "base"},
    "services": {"access", "console", "console/users", "casework", "reports", "matcher",
                 "registry", "feeds", "storage", "formats", "base"},
    "sample": {"formats", "base"},
    "cli": {"access", "sample", "console/users", "formats", "base"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folder_of(path):
    """The library a source path belongs to (the longest ALLOWED key)."""
    best = None
    for name in ALLOWED:
        if path == name or path.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


def main():
    problems = []
    checked = 0
    for top in ALLOWED:
        if "/" in top:
            continue
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if not name.endswith((".h", ".cc")):
                    continue
                path = os.path.relpath(os.path.join(dirpath, name), ROOT)
                mine = folder_of(path)
                with open(os.path.join(ROOT, path), encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(1)
                        theirs = folder_of(target)
                        checked += 1
                        if theirs is None or theirs == mine:
                            continue  # generated code, third party, or itself
                        if "/internal/" in target:
                            problems.append(f"{path}:{number}: includes {target}, "
                                            f"internal to {theirs}/")
                        elif theirs not in ALLOWED[mine]:
                            problems.append(f"{path}:{number}: {mine}/ may not include "
                                            f"{target} ({theirs}/ is not below it)")
    for p in problems:
        print(p)
    print(f"layering: {checked} includes checked, {len(problems)} against the layers")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
