#!/usr/bin/env python3
"""The offline analyzer's speed: `passport-photo check` (embedded face model) over a folder
of 600×600 JPEG samples, on one core and on two.

- per photo: (time for N photos − time for 1 photo) / (N − 1) on one core, so that the
  process start and the model load are not counted (they are printed apart);
- folder rate: photos per second the same way, with the CPUs limited to {0} and to {0, 1},
  and their ratio.
Usage: analyzer.py PASSPORT_PHOTO_BINARY [--photos N] [--json]"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES_600 = ["square.jpg"]  # the 600×600 sample: the figure the issue sets is per 600×600 JPEG


def timed_check(binary: str, photos: list[Path], cpus: set[int], outbox: Path) -> float:
    # `check` keeps each photo version's face analysis beside the photos and reuses it: every
    # timed run starts without them, so that it measures the detector, not the cache.
    for folder in {p.parent for p in photos}:
        shutil.rmtree(folder / ".passport-photo", ignore_errors=True)
    started = time.perf_counter()
    result = subprocess.run(
        [binary, "check", "--json", "--outbox", str(outbox), *map(str, photos)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.sched_setaffinity(0, cpus),
        check=False,
    )
    elapsed = time.perf_counter() - started
    lines = result.stdout.decode().splitlines()
    if result.returncode > 1 or len(lines) != len(photos):
        raise SystemExit(f"check failed (exit {result.returncode}, {len(lines)} results)")
    return elapsed


def main() -> int:
    binary = sys.argv[1]
    count = int(sys.argv[sys.argv.index("--photos") + 1]) if "--photos" in sys.argv else 40
    cores = sorted(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        samples = tmp / "samples"
        subprocess.run(
            [binary, "samples", str(samples), "--assets", str(ROOT / ".cache/assets/photos")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        folder = tmp / "folder"
        folder.mkdir()
        photos = []
        for i in range(count):
            source = samples / SAMPLES_600[i % len(SAMPLES_600)]
            photos.append(shutil.copy(source, folder / f"{i:04}-{source.name}"))
        outbox = tmp / "outbox"

        def steady(cpus: set[int]) -> tuple[float, float]:
            """(seconds for one photo, seconds per further photo): the first holds the
            process start and the model load, the second is the rate a long folder runs at."""
            one = min(timed_check(binary, photos[:1], cpus, outbox) for _ in range(3))
            all_ = min(timed_check(binary, photos, cpus, outbox) for _ in range(2))
            return one, (all_ - one) / (count - 1)

        start, per_photo = steady({cores[0]})
        result = {
            "photos": count,
            "startMs": start * 1000,
            "perPhotoMs": per_photo * 1000,
            "oneCorePhotosPerSecond": 1 / per_photo,
        }
        if len(cores) >= 2:
            _, per_photo_two = steady(set(cores[:2]))
            result["twoCoresPhotosPerSecond"] = 1 / per_photo_two
            result["twoCoresSpeedup"] = per_photo / per_photo_two
    if "--json" in sys.argv:
        print(json.dumps(result, indent=2))
        return 0
    print(f"start, one photo:            {result['startMs']:.0f} ms (process start, model load, one photo)")
    print(f"per 600x600 JPEG, one core:  {result['perPhotoMs']:.1f} ms (start excluded)")
    print(f"folder of {count}, one core:   {result['oneCorePhotosPerSecond']:.1f} photos/s")
    if "twoCoresSpeedup" in result:
        print(
            f"folder of {count}, two cores:  {result['twoCoresPhotosPerSecond']:.1f} photos/s"
            f" ({result['twoCoresSpeedup']:.2f}x one core)"
        )
    else:
        print("!! one CPU only: the two-core rate is not measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
