#!/usr/bin/env bash
# Builds a separate package that depends on Formwork (Tests/Fixtures/Consumer) with its own
# blueprint and handler, and runs the formwork command line over it as its users would.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${CONSUMER_WORKDIR:-$root/.build-consumer}
mkdir -p "$work/formwork"
# A copy of the package (without build products) named 'formwork', beside the consumer.
tar -C "$root" --exclude=./.build --exclude='./.build-*' --exclude=./.git --exclude=./.venv-checkov \
    --exclude=./Tests/Fixtures -cf - . | tar -C "$work/formwork" -xf -
rm -rf "$work/consumer" && cp -R "$root/Tests/Fixtures/Consumer" "$work/consumer"
cd "$work/consumer"
swift build --product consumer-formwork
bin=$(swift build --product consumer-formwork --show-bin-path)/consumer-formwork

passed=0; failed=0
check() {
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $name"; else failed=$((failed + 1)); echo "not ok - $name"; fi
}
out=$(mktemp -d)
check "consumer validate exits 0" "$bin" validate
check "consumer synth writes both environments" "$bin" synth --output "$out"
check "dev template declares the consumer's table" grep -q "InventoryTable:" "$out/dev/template.yaml"
check "prod template enables PITR" grep -q "PointInTimeRecoveryEnabled: true" "$out/prod/template.yaml"
check "the route's function is the consumer's handler" grep -q "consumer_formwork.InventoryHandler" "$out/dev/template.yaml"
check "openapi.yaml lists the route" grep -q "/items/{sku}" "$out/dev/openapi.yaml"
usage_status() { set +e; "$bin" synth --format xml >/dev/null 2>&1; local s=$?; set -e; [ "$s" -eq 2 ]; }
check "a bad flag exits 2" usage_status
rm -rf "$out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
