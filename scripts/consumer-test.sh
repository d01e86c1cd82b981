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
check "help names the team's executable" bash -c "'$bin' --help | grep -q 'USAGE: inventory'"
check "consumer validate exits 0 with no warning" bash -c "'$bin' validate > '$out.validate' 2>&1 && ! grep -q warning '$out.validate'"
check "consumer synth writes both environments" "$bin" synth --output "$out"
dev="$out/dev/template.yaml"; prod="$out/prod/template.yaml"
check "dev template declares the consumer's table and its index" grep -q "IndexName: ByCategory" "$dev"
check "prod template enables PITR" grep -q "PointInTimeRecoveryEnabled: true" "$prod"
check "the route's function is the consumer's handler" grep -q "consumer_formwork.InventoryHandler" "$dev"
check "openapi.yaml lists the route" grep -q "/categories/{category}/items" "$out/dev/openapi.yaml"
check "the index handle grants Query on that index only" grep -q 'Resource: !Sub ${ProductsTable.Arn}/index/ByCategory' "$dev"
check "the index name reaches the function's environment" grep -q "CATEGORY_INDEX: ByCategory" "$dev"
check "the bucket grant reads under its prefix" grep -q 'Resource: !Sub ${ImagesBucket.Arn}/thumbnails/\*' "$dev"
check "the statement beyond the grants keeps its reason in Metadata" grep -q "BeyondGrants1: PutMetricData takes no resource ARN" "$dev"
check "lifecycle rules move and expire by prefix and tag" bash -c "grep -q 'StorageClass: INTELLIGENT_TIERING' '$dev' && grep -q 'Prefix: uploads/' '$dev' && grep -q 'TagFilters:' '$dev'"
check "the firewall guards prod only" bash -c "grep -q 'AWS::WAFv2::WebACLAssociation' '$prod' && ! grep -q 'AWS::WAFv2::WebACLAssociation' '$dev'"
check "no dead-letter queue for a function only API Gateway invokes" bash -c "! grep -q 'AWS::SQS::Queue' '$dev'"
check "API Gateway's CloudWatch role is in the account stack only" bash -c "grep -q 'AWS::ApiGateway::Account' '$out/account/template.yaml' && ! grep -q 'AWS::ApiGateway::Account' '$dev'"
check "samconfig.toml overrides no parameter the templates lack" bash -c "! grep -q 'parameter_overrides' '$out/samconfig.toml'"
# The same validators as the flagship's: cfn-lint, the SAM transform, tags, checkov, parliament.
check "cfn-lint, the SAM transform and checkov are clean on the consumer's templates" \
  python3 "$root/scripts/validate_templates.py" "$out" --checkov "$root/.venv-checkov/bin/checkov" --checkov-env prod
check "parliament finds nothing unexplained in the consumer's policies" python3 "$root/scripts/audit_policies.py" "$out"
usage_status() { set +e; "$bin" synth --format xml >/dev/null 2>&1; local s=$?; set -e; [ "$s" -eq 2 ]; }
check "a bad flag exits 2" usage_status
rm -rf "$out" "$out.validate"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
