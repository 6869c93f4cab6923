#!/usr/bin/env bash
# Capacity benchmark (issue: bursts without loss). Runs `passport-photo simulate` for the
# deployed design (DetectFaces behind the detect-faces queue) and the design it replaced
# (direct calls retried with backoff), for 1 000, 10 000 and 100 000 uploads arriving at
# once at 50 TPS, plus 10 000 with a 5 % fault rate on every service, and prints one table.
# Virtual time: the whole run takes a few minutes of wall time. Not part of the test command.
#   scripts/bench-bursts.sh [SIZES...]   (default: 1000 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("${@:-1000 10000 100000}")
read -r -a sizes <<<"${sizes[*]}"
tps=50
seed=1

cargo build --profile local --quiet -p passport-photo
bin=target/local/passport-photo
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # name, then simulate's arguments
  local name=$1
  shift
  local started=$SECONDS
  "$bin" simulate --json --seed "$seed" --detect-tps "$tps" "$@" >"$out/$name.json"
  echo "  $name: $((SECONDS - started)) s wall time" >&2
}

echo "simulating (virtual time; wall time per run below)" >&2
for n in "${sizes[@]}"; do
  for design in direct queued; do
    run "$design-$n" --uploads "$n" --design "$design"
  done
done
run "queued-faults" --uploads 10000 --design queued --fault-rate 0.05
run "direct-faults" --uploads 10000 --design direct --fault-rate 0.05

python3 - "$out" "${sizes[@]}" <<'PY'
import json, sys, pathlib
out, sizes = pathlib.Path(sys.argv[1]), sys.argv[2:]
load = lambda name: json.loads((out / f"{name}.json").read_text())
rows = [(f"{int(n):,} at once", load(f"direct-{n}"), load(f"queued-{n}")) for n in sizes]
rows.append(("10,000, 5 % faults", load("direct-faults"), load("queued-faults")))
print("| uploads | design | succeeded | failed | lost | makespan s (bound) | p50 / p99 s | DetectFaces calls (throttled) | transitions | Lambda invocations | $ per 1000 |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for label, *runs in rows:
    for r in runs:
        bound = r["uploads"] / r["detectTps"]
        print(f"| {label} | {r['design']} | {r['succeeded']} | {r['failed']} | {r['lost']} "
              f"| {r['makespanSeconds']:.0f} ({bound:.0f}) "
              f"| {r['latencySeconds']['p50']:.0f} / {r['latencySeconds']['p99']:.0f} "
              f"| {r['detectCalls']} ({r['throttledCalls']}) | {r['stateTransitions']} "
              f"| {r['lambdaInvocations']} | {r['costPer1000Photos']:.3f} |")
print()
print("Figures (issue 11), deployed design:")
for label, direct, queued in rows:
    bound = queued["uploads"] / queued["detectTps"]
    checks = [
        ("lost 0", queued["lost"] == 0),
        ("every failure alerted", sum(queued["alerts"].values()) >= queued["failed"]),
        ("throttled <= 5 % of calls", queued["throttledCalls"] <= 0.05 * queued["detectCalls"]),
    ]
    if queued["faultRate"] == 0:
        checks += [
            ("failed 0", queued["failed"] == 0),
            ("makespan <= 1.25 x N/TPS", queued["makespanSeconds"] <= 1.25 * bound),
            ("cost <= 1.2 x Rekognition floor", queued["costPer1000Photos"] <= 1.2),
        ]
    ratio = direct["costPer1000Photos"] / queued["costPer1000Photos"]
    print(f"  {label}: " + ", ".join(f"{name} {'yes' if ok else 'NO'}" for name, ok in checks)
          + f"; direct costs {ratio:.2f}x, fails {direct['failed']} of {direct['uploads']}")
PY
