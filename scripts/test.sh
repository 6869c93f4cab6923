#!/usr/bin/env bash
# The whole test suite, from a clean clone: installs its pinned tools locally (Python tools
# in .venv/, npm tools in node_modules/), then runs every check. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

started=$SECONDS
step_started=$SECONDS
say() { # prints how long the previous step took, then the next step's name
  printf '    (%ds)\n\n==> %s\n' "$((SECONDS - step_started))" "$*"
  step_started=$SECONDS
}

say "tools: Python virtualenvs and npm packages (pinned)"
source scripts/venv.sh
install_venv tools requirements-tools.txt
install_venv checkov requirements-checkov.txt
if [ ! -x node_modules/.bin/asl-validator ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
python3 scripts/fetch_assets.py
export PATH="$root/.venv/tools/bin:$root/node_modules/.bin:$PATH"
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-west-1}
export SAM_CLI_TELEMETRY=0
# The wire tests start moto server from .venv/tools; here they must run, not skip.
export REQUIRE_WIRE_TESTS=1

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

say "sam build (cargo-lambda), x86_64: the end-to-end suite runs these bootstraps"
# x86_64 so that this machine can run what it built (CI no longer builds arm64, the
# template's default: see README, Tests). Without LTO it takes minutes less; a deployment's
# own `sam build` uses the full release profile of Cargo.toml.
CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  sam build --template template.yaml --parameter-overrides "Architecture=x86_64" --build-dir .aws-sam/build
for f in StartValidationFunction FetchMetadataFunction DetectFacesFunction AnalyzeImageFunction EvaluateRulesFunction NotifyFunction SummarizeRunFunction; do
  test -x ".aws-sam/build/$f/bootstrap" || { echo "sam build produced no bootstrap for $f"; exit 1; }
done
export E2E_BOOTSTRAP_DIR="$root/.aws-sam/build"

say "cargo tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
  cargo test --workspace --locked --doc
else
  cargo test --workspace --locked --no-fail-fast
fi

say "asl-validator"
asl-validator --json-path statemachine/photo_validation.asl.json
asl-validator --json-path statemachine/revalidate.asl.json

say "cfn-lint"
cfn-lint template.yaml

say "sam validate --lint"
sam validate --lint --template template.yaml --region "$AWS_DEFAULT_REGION"

say "checkov (skips and their reasons: .checkov.yaml)"
BC_SKIP_MAPPING=TRUE "$root/.venv/checkov/bin/checkov" --config-file .checkov.yaml -f template.yaml

say "dependency guards: rustls only, no face model in a function"
if cargo tree --workspace -e normal -i openssl-sys >/dev/null 2>&1; then
  echo "openssl-sys is in the dependency tree: the functions must use rustls only"; exit 1
fi
for f in functions/*/; do
  if cargo tree -p "$(basename "$f")" -e normal | grep -qE '(^|[^a-z])tract-[a-z]'; then
    echo "$(basename "$f") depends on tract: the face model belongs to the local side only"; exit 1
  fi
done

say "all checks passed"
echo "total: $((SECONDS - started)) s"
