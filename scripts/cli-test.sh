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
check "a fresh synth reproduces output/ byte for byte" diff -r output "$tmp/fresh"
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
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
