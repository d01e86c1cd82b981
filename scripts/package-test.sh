#!/usr/bin/env bash
# `formwork package` as a user runs it, and the bootstrap it zips, run as Lambda runs it:
#   - without a Swift SDK for arm64 on an x86_64 machine it refuses, and says why;
#   - with --host-architecture it zips one `bootstrap` (0755) at every CodeUri of the templates,
#     the same bytes on a second run;
#   - `ldd` lists no Swift runtime library for the bootstrap to load;
#   - a bootstrap needing a glibc newer than provided.al2023's (readelf says) is warned about in a
#     host build and refused for deploying; --bootstrap zips a given executable as building would;
#   - the bootstrap speaks the Lambda Runtime API (a small server here hands it events): the
#     health route answers 200, the notification function's deadline sweep reads its SSM
#     parameter and queries its tables on `formwork simulate` through AWS_ENDPOINT_URL, signed
#     with SigV4, and an event of no known shape is posted back as an error;
#   - it exits 0 on SIGTERM.
#   - `formwork simulate --functions process --bootstrap ZIP` runs the zip: the API answers, the
#     first invocation reports its init duration, and the extracted bootstrap is removed at exit.
# A debug build is enough to prove a working bootstrap; it is kept in .build/lambda-build.
set -uo pipefail
bin=${1:?usage: package-test.sh PATH_TO_FORMWORK}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
passed=0; failed=0
check() {
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $name"; else failed=$((failed + 1)); echo "not ok - $name"; fi
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ "$(uname -m)" = "x86_64" ] && ! swift sdk list 2>/dev/null | grep -q -e static-linux -e linux-musl; then
  check "without an arm64 SDK, package refuses and says so" bash -c "'$bin' package >/dev/null 2>'$tmp/e'; [ \$? -eq 1 ] && grep -q 'cannot cross-compile' '$tmp/e'"
fi
"$bin" package --configuration debug --host-architecture >"$tmp/summary" 2>"$tmp/build" || { cat "$tmp/build"; echo "not ok - package --host-architecture"; exit 1; }
cat "$tmp/summary"
check "the summary lists every function's zip with its sizes" bash -c "grep -q 'TaskManagementFunction' '$tmp/summary' && grep -q 'NotificationFunction' '$tmp/summary' && grep -q 'zip(s) of TaskManagementLambda' '$tmp/summary'"
zips=$(grep -h 'CodeUri:' output/*/template.yaml | awk '{print $2}' | sort -u)
missing=0
for z in $zips; do [ -f "output/dev/$z" ] || { echo "    missing: $z"; missing=1; }; done
check "every CodeUri of the committed templates is a zip that exists" [ "$missing" -eq 0 ]
zip=$(echo "$zips" | grep NotificationHandler | head -1)
zip="output/dev/$zip"
check "the zip holds one entry, bootstrap, executable" python3 - "$zip" <<'PY'
import sys, zipfile
entries = zipfile.ZipFile(sys.argv[1]).infolist()
sys.exit(0 if [e.filename for e in entries] == ["bootstrap"] and (entries[0].external_attr >> 16) & 0o777 == 0o755 else 1)
PY
cp "$zip" "$tmp/first.zip"
"$bin" package --configuration debug --host-architecture >/dev/null 2>&1
check "packaging again gives the same bytes" cmp -s "$zip" "$tmp/first.zip"
mkdir -p "$tmp/fn" && python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$tmp/fn" && chmod +x "$tmp/fn/bootstrap"
check "ldd lists no Swift runtime library" bash -c "ldd '$tmp/fn/bootstrap' > '$tmp/ldd'; cat '$tmp/ldd' | sed 's/^/    /'; ! grep -E -q 'libswift|libFoundation|libdispatch|libBlocksRuntime|lib_Foundation' '$tmp/ldd'"

# The runtime check: readelf says which glibc versions the bootstrap needs; one newer than
# provided.al2023's 2.34 must be warned about for a host build, and refused for a deploy build.
newer_glibc=$(readelf -V --wide "$tmp/fn/bootstrap" | grep -oE 'GLIBC_2\.(3[5-9]|[4-9][0-9])' | sort -V | tail -1)
if [ -n "$newer_glibc" ]; then
  check "a host build needing $newer_glibc is warned about, naming provided.al2023" grep -q "bootstrap needs .*$newer_glibc (lib.*which provided.al2023 lacks (it has glibc 2.34" "$tmp/build"
  # The same executable presented as the arm64 bootstrap (its ELF machine patched): refused, nothing written.
  cp "$tmp/fn/bootstrap" "$tmp/arm64-bootstrap"
  python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(18); f.write((183).to_bytes(2,"little"))' "$tmp/arm64-bootstrap"
  check "a deploy bootstrap needing $newer_glibc is refused, and no zip changes" bash -c "
    '$bin' package --bootstrap '$tmp/arm64-bootstrap' >/dev/null 2>'$tmp/e'; status=\$?; sed 's/^/    /' '$tmp/e'
    [ \$status -eq 1 ] && grep -q 'needs $newer_glibc' '$tmp/e' && grep -q 'swift:6.1-amazonlinux2' '$tmp/e' && cmp -s '$zip' '$tmp/first.zip'"
else
  check "a host build within provided.al2023's glibc is not warned about" bash -c "! grep -q 'which provided.al2023 lacks' '$tmp/build'"
fi
check "--bootstrap zips a given executable: the same bytes as building it" bash -c "
  '$bin' package --host-architecture --bootstrap '$tmp/fn/bootstrap' >'$tmp/given' 2>/dev/null && grep -q 'given' '$tmp/given' && cmp -s '$zip' '$tmp/first.zip'"
check "--bootstrap refuses a file that is not an executable, and says so" bash -c "
  '$bin' package --bootstrap README.md >/dev/null 2>'$tmp/e'; [ \$? -eq 1 ] && grep -q 'README.md is not an ELF executable' '$tmp/e'"

sim_port=$(free_port)
"$bin" simulate --in-memory --port "$sim_port" --clock virtual --start 2026-12-01T09:00:00Z >"$tmp/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$sim_port/_formwork/health" >/dev/null && break; sleep 0.1; done

# A Runtime API that hands out the events of a folder in order and keeps the answers.
cat >"$tmp/runtime_api.py" <<'PY'
import http.server, os, sys, threading, time
events_dir, answers_dir, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
pending = sorted(os.listdir(events_dir))
lock = threading.Lock()
class API(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):
        if self.path != "/2018-06-01/runtime/invocation/next":
            self.send_error(404); return
        while True:
            with lock:
                name = pending.pop(0) if pending else None
            if name: break
            time.sleep(0.05)
        body = open(os.path.join(events_dir, name), "rb").read()
        self.send_response(200)
        self.send_header("Lambda-Runtime-Aws-Request-Id", name.removesuffix(".json"))
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:test")
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000001")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(os.path.join(answers_dir, self.path.strip("/").replace("/", "_")), "wb") as f:
            f.write(body)
        self.send_response(202); self.send_header("Content-Length", "0"); self.end_headers()
http.server.ThreadingHTTPServer(("127.0.0.1", port), API).serve_forever()
PY

# run_bootstrap FUNCTION EVENTS_DIR LAST_ANSWER: runs the bootstrap as FUNCTION (its handler and
# environment from the simulator's control API) until LAST_ANSWER is posted, then sends SIGTERM;
# the exit status is in $tmp/<FUNCTION>.status, its output in $tmp/<FUNCTION>.log.
run_bootstrap() {
  local function=$1 events=$2 last=$3
  local port; port=$(free_port)
  python3 "$tmp/runtime_api.py" "$events" "$tmp/answers" "$port" &
  pids+=($!)
  sleep 0.3
  local description; description=$(curl -s "http://127.0.0.1:$sim_port/_formwork/functions/$function")
  local handler; handler=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["handler"])' <<<"$description")
  local variables=()
  mapfile -t variables < <(python3 -c 'import json,sys; [print(f"{k}={v}") for k, v in sorted(json.load(sys.stdin)["environment"].items()) if not k.startswith("AWS_")]' <<<"$description")
  env -i PATH="$PATH" HOME="$HOME" "${variables[@]}" \
    AWS_LAMBDA_RUNTIME_API="127.0.0.1:$port" _HANDLER="$handler" AWS_LAMBDA_FUNCTION_NAME="$function" AWS_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=AKIDPACKAGETEST AWS_SECRET_ACCESS_KEY=package-test-secret AWS_SESSION_TOKEN=package-test-token \
    AWS_ENDPOINT_URL="http://127.0.0.1:$sim_port" \
    "$tmp/fn/bootstrap" >"$tmp/$function.log" 2>&1 &
  local boot=$!
  pids+=($boot)
  for _ in $(seq 1 200); do [ -f "$tmp/answers/$last" ] && break; sleep 0.1; done
  kill -TERM "$boot"
  wait "$boot"; echo $? >"$tmp/$function.status"
  sed 's/^/    /' "$tmp/$function.log"
  printf '%s\n' "${variables[@]}" >"$tmp/$function.env"
}
mkdir -p "$tmp/answers" "$tmp/dashboard" "$tmp/notification"
cat >"$tmp/dashboard/1-health.json" <<'JSON'
{"resource":"/health","path":"/health","httpMethod":"GET","headers":{},"multiValueHeaders":{},"queryStringParameters":null,"multiValueQueryStringParameters":null,"pathParameters":null,"stageVariables":null,"requestContext":{"resourcePath":"/health","httpMethod":"GET","path":"/dev/health","stage":"dev","requestId":"r-1","identity":{"sourceIp":"127.0.0.1"},"accountId":"000000000000","apiId":"local","protocol":"HTTP/1.1","requestTimeEpoch":1796115600000,"domainName":"localhost"},"body":null,"isBase64Encoded":false}
JSON
echo '{"what": "ever"}' >"$tmp/dashboard/2-unknown.json"
cat >"$tmp/notification/3-sweep.json" <<'JSON'
{"version":"0","id":"e-1","detail-type":"Scheduled Event","source":"aws.events","account":"000000000000","time":"2026-12-01T09:00:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:000000000000:rule/DeadlineReminders"],"detail":{}}
JSON
run_bootstrap AdminDashboardFunction "$tmp/dashboard" 2018-06-01_runtime_invocation_2-unknown_error
run_bootstrap NotificationFunction "$tmp/notification" 2018-06-01_runtime_invocation_3-sweep_response

check "the health route answers 200 through the Runtime API" python3 -c '
import json, sys; a = json.load(open(sys.argv[1])); sys.exit(0 if a["statusCode"] == 200 and json.loads(a["body"]) == {"status": "ok"} else 1)' "$tmp/answers/2018-06-01_runtime_invocation_1-health_response"
check "an event of no known shape is posted as the invocation's error" grep -q 'Runtime.InvalidEvent' "$tmp/answers/2018-06-01_runtime_invocation_2-unknown_error"
check "the deadline sweep read SSM and DynamoDB on the simulator over SigV4 and succeeded" bash -c "[ -f '$tmp/answers/2018-06-01_runtime_invocation_3-sweep_response' ] && grep -q 'INFO	Deadline sweep: 0 reminder' '$tmp/NotificationFunction.log'"
check "the function's environment came from the simulator's model" grep -q '^TASKS_TABLE=taskmgmt-dev-tasks$' "$tmp/NotificationFunction.env"
check "the bootstrap exits 0 on SIGTERM" bash -c "[ \"\$(cat '$tmp/AdminDashboardFunction.status')\" = 0 ] && [ \"\$(cat '$tmp/NotificationFunction.status')\" = 0 ]"

# The simulator runs the packaged zip itself: `--functions process --bootstrap <zip>`.
zip_port=$(free_port)
extracted_before=$(ls -d "${TMPDIR:-/tmp}"/formwork-bootstrap-* 2>/dev/null | sort)
"$bin" simulate --in-memory --port "$zip_port" --functions process --bootstrap "$zip" >"$tmp/zip-sim.log" 2>&1 &
zip_sim=$!
pids+=($zip_sim)
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$zip_port/_formwork/health" >/dev/null && break; sleep 0.1; done
api=$(curl -s "http://127.0.0.1:$zip_port/_formwork/endpoints" | python3 -c 'import json,sys; print(json.load(sys.stdin)["apiUrl"])')
check "simulate --bootstrap ZIP answers the API from the zip's bootstrap" bash -c "curl -s '$api/health' | grep -q '\"status\":\"ok\"'"
check "its first invocation reports the process's init duration" bash -c "curl -s 'http://127.0.0.1:$zip_port/_formwork/logs/AdminDashboardFunction' | grep -q 'Init Duration'"
kill -TERM "$zip_sim"; wait "$zip_sim"
extracted_after=$(ls -d "${TMPDIR:-/tmp}"/formwork-bootstrap-* 2>/dev/null | sort)
check "the bootstrap taken out of the zip is removed when the simulator stops" [ "$extracted_before" = "$extracted_after" ]

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
