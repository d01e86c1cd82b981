#!/usr/bin/env bash
# Runs the formwork executable as a user does and checks its output and exit statuses.
set -uo pipefail
bin=${1:?usage: cli-test.sh PATH_TO_FORMWORK}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0
check() {
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $name"; else failed=$((failed + 1)); echo "not ok - $name"; fi
}
status_is() { local want=$1; shift; "$@" >"$tmp/out" 2>"$tmp/err"; [ $? -eq "$want" ]; }

check "--help exits 0 and names the commands" bash -c "'$bin' --help | grep -q 'synth' && '$bin' --help | grep -q 'graph'"
check "synth --all exits 0" status_is 0 "$bin" synth --all --output "$tmp/fresh"
check "a fresh synth into output/ reproduces it byte for byte" bash -c "cp -r output '$tmp/committed' && '$bin' synth --all >/dev/null && diff -r '$tmp/committed' output"
check "synth --env prod writes only prod" bash -c "'$bin' synth --env prod --output '$tmp/prod' >/dev/null && [ -f '$tmp/prod/prod/template.yaml' ] && [ ! -e '$tmp/prod/dev' ]"
check "synth --format json writes JSON that parses" bash -c "'$bin' synth --env dev --format json --output '$tmp/json' >/dev/null && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$tmp/json/dev/template.json'"
check "two synths are byte-identical" bash -c "'$bin' synth --output '$tmp/again' >/dev/null && diff -r '$tmp/fresh' '$tmp/again'"
check "validate exits 0" status_is 0 "$bin" validate
check "an unknown environment exits 2 with a message" bash -c "'$bin' synth --env qa >/dev/null 2>'$tmp/e'; [ \$? -eq 2 ] && grep -q \"no environment 'qa'\" '$tmp/e'"
check "--env with --all exits 2" status_is 2 "$bin" synth --env dev --all
check "an unknown format exits 2" status_is 2 "$bin" synth --format toml
check "an unwritable output directory exits 2" bash -c "'$bin' synth --output /proc/formwork >/dev/null 2>'$tmp/e'; [ \$? -eq 2 ] && grep -q 'cannot write' '$tmp/e'"
check "list prints the resource table" bash -c "'$bin' list --env prod | grep -E '^TasksTable +AWS::DynamoDB::Table +TasksTable +blueprints/TaskManagement.swift:[0-9]+:[0-9]+'"
check "graph --format mermaid draws references" bash -c "'$bin' graph | grep -q 'TaskManagementFunction -->|readWrite, env| TasksTable'"
check "graph --format dot is a digraph" bash -c "'$bin' graph --format dot | head -1 | grep -q '^digraph'"
check "check passes on the committed output/" status_is 0 "$bin" check
check "check fails on a stale output" bash -c "cp -r output '$tmp/stale' && sed -i 's/RetentionInDays: 365/RetentionInDays: 30/' '$tmp/stale/prod/template.yaml' && '$bin' check --output '$tmp/stale' >'$tmp/o' 2>&1; [ \$? -eq 1 ] && grep -q 'RetentionInDays: 30 → 365' '$tmp/o'"
check "diff of identical environments prints nothing and exits 0" bash -c "[ -z \"\$('$bin' diff prod prod)\" ]"
check "diff dev prod compares configuration: exits 1, names the blueprint lines, claims no replacement" bash -c "'$bin' diff dev prod >'$tmp/d'; [ \$? -eq 1 ] && grep -q 'decided at blueprints/TaskManagement.swift' '$tmp/d' && ! grep -qi 'replacement' '$tmp/d'"
check "diff dev prod --raw exits 1 and flags replacements" bash -c "'$bin' diff dev prod --raw >'$tmp/d'; [ \$? -eq 1 ] && grep -q '\\[replacement\\]' '$tmp/d'"
check "diff output piped has no colour codes" bash -c "! '$bin' diff dev prod --raw | grep -q \$'\\x1b'"
check "diff honours NO_COLOR on a terminal" bash -c "! NO_COLOR=1 script -qec \"'$bin' diff dev prod --raw\" /dev/null | grep -q \$'\\x1b\\[3'"
check "diff is coloured on a terminal" bash -c "script -qec \"'$bin' diff dev prod --raw\" /dev/null | grep -q \$'\\x1b\\[3'"
check "diff --format github annotates replacements at the blueprint's lines" bash -c "'$bin' diff staging prod --raw --format github --fail-on none | grep -q '^::warning file=blueprints/TaskManagement.swift,line='"
check "diff --against reads get-template's JSON" bash -c "python3 -c 'import json,sys; print(json.dumps({\"TemplateBody\": open(\"output/prod/template.yaml\").read()}))' >'$tmp/deployed.json' && '$bin' diff --env prod --against '$tmp/deployed.json'"
check "diff --fail-on none exits 0" status_is 0 "$bin" diff dev prod --fail-on none
check "diff --format json parses" bash -c "'$bin' diff staging prod --format json --fail-on none | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"schemaVersion\"] == 1'"
check "diff --env --against a committed template exits 0" status_is 0 "$bin" diff --env dev --against output/dev/template.yaml
check "diff of a missing file exits 2" status_is 2 "$bin" diff /nonexistent.yaml output/dev/template.yaml

# The clients of a running simulator: clock, invoke, outbox.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port"
"$bin" simulate --in-memory --port "$port" --clock virtual --start 2026-12-01T09:00:00Z >"$tmp/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do curl -sf "$endpoint/_formwork/health" >/dev/null && break; sleep 0.2; done
topic="arn:aws:sns:us-east-1:000000000000:taskmgmt-dev-alarms"
check "clock with nothing listening exits 2 and says so" bash -c "'$bin' clock --endpoint http://127.0.0.1:9 2>'$tmp/e'; [ \$? -eq 2 ] && grep -q 'no simulator answers at http://127.0.0.1:9' '$tmp/e'"
check "clock shows the virtual time" bash -c "'$bin' clock --endpoint '$endpoint' | grep -qx '2026-12-01T09:00:00Z (virtual clock)'"
check "clock advance 25h runs the hourly schedule 25 times" bash -c "'$bin' clock advance 25h --endpoint '$endpoint' | grep -qx '2026-12-02T10:00:00Z (virtual clock)' && [ \$(curl -s '$endpoint/_formwork/logs/NotificationFunction' | grep -o 'Deadline sweep' | wc -l) -eq 25 ]"
check "clock advance of a bad duration exits 2" status_is 2 "$bin" clock advance soon --endpoint "$endpoint"
check "a jump past 10,000 fires exits 2 with the reason" bash -c "'$bin' clock advance 10001h --endpoint '$endpoint' 2>'$tmp/e'; [ \$? -eq 2 ] && grep -q 'more than 10000 scheduled invocations' '$tmp/e'"
check "invoke --scheduled prints the log on stderr" bash -c "'$bin' invoke NotificationFunction --scheduled --endpoint '$endpoint' 2>'$tmp/e' && grep -q 'START RequestId' '$tmp/e' && grep -q 'Deadline sweep' '$tmp/e'"
check "invoke --sns hands the function the message" bash -c "'$bin' invoke NotificationFunction --sns 'not a notification' --endpoint '$endpoint' 2>'$tmp/e' && grep -q 'is not a notification; ignored' '$tmp/e'"
check "invoke of an unknown function exits 2" status_is 2 "$bin" invoke Nope --scheduled --endpoint "$endpoint"
check "outbox shows what a publish sent" bash -c "curl -sf -H 'Content-Type: application/x-www-form-urlencoded' --data-urlencode Action=Publish --data-urlencode 'TopicArn=$topic' --data-urlencode 'Message=hello outbox' '$endpoint/' >/dev/null && '$bin' outbox --to oncall@taskmgmt.example.com --endpoint '$endpoint' | grep -q 'hello outbox'"
check "outbox --json prints one JSON object per line" bash -c "'$bin' outbox --json --endpoint '$endpoint' | python3 -c 'import json,sys; rows=[json.loads(l) for l in sys.stdin]; assert any(r[\"body\"] == \"hello outbox\" for r in rows)'"
kill $sim 2>/dev/null

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
