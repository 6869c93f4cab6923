#!/usr/bin/env bash
# Runs the product offline: the real workflow definition and handler code on sample photos
# (or on the photos given as arguments), with the embedded face analyzer. No AWS account.
#   ./scripts/run-local.sh                      # the sample photos, icao profile
#   ./scripts/run-local.sh --profile uk me.jpg  # your own photo
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/fetch_assets.py
# The `local` profile: release optimisation without the Lambdas' whole-program LTO.
cargo build --profile local --quiet -p passport-photo
bin=target/local/passport-photo
args=() photos=()
while [ $# -gt 0 ]; do
  case "$1" in
    --*) args+=("$1" "$2"); shift 2 ;;
    *) photos+=("$1"); shift ;;
  esac
done
if [ ${#photos[@]} -eq 0 ]; then
  # Derived from the pinned portraits: one the icao profile approves, the others rejected
  # for different reasons (crates/passport-photo/src/samples.rs).
  echo "Sample photos (.cache/samples):"
  listing=$("$bin" samples .cache/samples)
  printf '%s\n' "$listing" | sed 's/^/  /'
  mapfile -t photos < <(printf '%s\n' "$listing" | cut -f1)
  echo
  echo "Checking them with the embedded analyzer (outbox: ./outbox, histories: ./outbox/history)"
fi
set +e
"$bin" check "${args[@]}" --history outbox/history --report outbox/report.html "${photos[@]}"
status=$?
set -e
echo
echo "exit code $status (0: all approved, 1: some rejected, 2: a processing error)"
echo "notifications: $(ls outbox/*.jsonl 2>/dev/null | tr '\n' ' ')"
echo "report (open it in a browser): outbox/report.html"
# Rejections are an expected outcome of the samples, not a failure of this command.
[ "$status" -le 1 ]
