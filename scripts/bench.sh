#!/usr/bin/env bash
# Size and speed, each measured against a baseline in the same run (not part of the test
# command; it takes 20–40 minutes on 2 cores, most of it two `sam build`s):
#   1. each function's deployment zip, built as `sam build` builds it, x86_64 and arm64;
#   2. each function's cold start (init time, peak RSS, first invoke) beside a Python 3.11 +
#      boto3 peer, against a stub Lambda Runtime API on loopback (scripts/bench/init.py);
#   3. the offline analyzer: time per 600×600 JPEG (criterion), and `passport-photo check`
#      over a folder on one core and on two.
# Usage: ./scripts/bench.sh [--runs N] [--skip-arm64]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=10 arm64=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --skip-arm64) arm64=0; shift ;;
    *) echo "usage: $0 [--runs N] [--skip-arm64]"; exit 2 ;;
  esac
done

source scripts/venv.sh
install_venv tools requirements-tools.txt
install_venv bench-peer scripts/bench/peer-requirements.txt
python3 scripts/fetch_assets.py
export PATH="$root/.venv/tools/bin:$PATH" SAM_CLI_TELEMETRY=0
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-west-1}

echo "==> sam build, x86_64 (the release profile of Cargo.toml, as a deployment builds)"
sam build --template template.yaml --parameter-overrides Architecture=x86_64 \
  --build-dir .aws-sam/bench-x86_64 >/dev/null
builds=(x86_64=.aws-sam/bench-x86_64)
if [ "$arm64" = 1 ]; then
  echo "==> sam build, arm64"
  if rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 &&
    sam build --template template.yaml --parameter-overrides Architecture=arm64 \
      --build-dir .aws-sam/bench-arm64 >/dev/null; then
    builds+=(arm64=.aws-sam/bench-arm64)
  else
    echo "!! arm64 could not be built on this machine: its sizes are missing below"
  fi
fi

echo
echo "==> deployment packages"
python3 scripts/bench/sizes.py "${builds[@]}"

echo
echo "==> cold start: $runs runs each, medians (x86_64)"
.venv/tools/bin/python scripts/bench/init.py --build-dir .aws-sam/bench-x86_64 \
  --peer-python "$root/.venv/bench-peer/bin/python" --runs "$runs"

echo
echo "==> offline analyzer (passport-photo check, release)"
cargo build --profile local --locked --quiet -p passport-photo
python3 scripts/bench/analyzer.py target/local/passport-photo
