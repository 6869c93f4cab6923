#!/usr/bin/env python3
"""Each function's deployment package: the bootstrap `sam build` made, zipped the way
`sam package`/`sam deploy` zip it (zipfile, ZIP_DEFLATED, default level).
Usage: sizes.py ARCH=BUILD_DIR [ARCH=BUILD_DIR ...] [--json]"""

import io
import json
import sys
import zipfile
from pathlib import Path

LIMIT_MB = 3.0  # the figure issue 13 asks every zip to stay under


def zipped_size(folder: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(folder))
    return buffer.tell()


def main() -> int:
    as_json = "--json" in sys.argv
    builds = dict(a.split("=", 1) for a in sys.argv[1:] if not a.startswith("--"))
    sizes: dict[str, dict[str, dict[str, float]]] = {}
    for arch, build_dir in builds.items():
        for function in sorted(Path(build_dir).iterdir()):
            bootstrap = function / "bootstrap"
            if not bootstrap.is_file():
                continue
            sizes.setdefault(function.name, {})[arch] = {
                "bootstrapMb": bootstrap.stat().st_size / 1e6,
                "zipMb": zipped_size(function) / 1e6,
            }
    if as_json:
        print(json.dumps(sizes, indent=2))
        return 0
    archs = list(builds)
    print(f"{'function':<26}" + "".join(f" {a + ' zip':>13} {'(binary)':>9}" for a in archs))
    for name, by_arch in sizes.items():
        row = f"{name:<26}"
        for a in archs:
            s = by_arch.get(a)
            row += f" {s['zipMb']:>10.2f} MB {s['bootstrapMb']:>6.2f} MB" if s else f" {'-':>13} {'-':>9}"
        print(row)
    over = [n for n, by in sizes.items() for s in by.values() if s["zipMb"] > LIMIT_MB]
    print(f"zips over {LIMIT_MB} MB: {', '.join(sorted(set(over))) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
