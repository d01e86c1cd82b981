# make test: installs what the suites need (idempotent), then runs every suite.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CHECKOV := $(CURDIR)/.venv-checkov/bin/checkov
BIN = $(shell swift build --show-bin-path)

.PHONY: test deps lint doc-examples sam-event build swift-test check cli-test package-test diff-test templates audit sdk-test browser-test consumer-test bench synth

test: deps lint doc-examples sam-event build swift-test check cli-test package-test diff-test templates audit sdk-test browser-test consumer-test
	@echo "make test: all suites passed"

deps:
	bash scripts/install-test-deps.sh

# The checked-in .swift-format, over the sources and blueprints.
lint:
	swift format lint --strict -r Sources blueprints

# The documentation's Swift examples (README and /// comments) are copied into the DocExamples
# test target, which `build` compiles; the copies must be current.
doc-examples:
	python3 scripts/doc_examples.py --check

# The reference API Gateway proxy event from the SAM CLI (aws-sam-cli, pinned, in .venv-sam/):
# regenerated, then it must match the committed fixture the simulator's tests compare with.
sam-event:
	bash scripts/sam-proxy-event.sh
	git diff --exit-code -- Tests/FormworkSimulatorTests/Fixtures/aws-proxy-event.json

# With the tests, in one build: `swift test` then reuses it instead of building again.
build:
	swift build --build-tests

# FORMWORK_REQUIRE_MOTO: the clients' tests against moto's server must run, not be skipped.
swift-test: build
	FORMWORK_REQUIRE_MOTO=1 swift test --skip-build

# The CI gate: output/ must match a fresh synth of the blueprint.
check: build
	"$(BIN)/formwork" check

cli-test: build
	bash scripts/cli-test.sh "$(BIN)/formwork"

# formwork package (a debug static build in .build/lambda-build) and its bootstrap run against a
# Runtime API and the simulator.
package-test: build
	bash scripts/package-test.sh "$(BIN)/formwork"

# The diff's predictions against the real aws-sam-translator (what SAM generates, and what a change
# to it replaces), its replacement rules against cfn-lint's bundled provider schemas, and the
# pipeline's diff gate run as CodeBuild runs its buildspec.
diff-test: build
	FORMWORK_BIN="$(BIN)/formwork" FORMWORK_REQUIRE_SAM=1 python3 -m pytest tests/diff tests/pipeline -q -p no:cacheprovider

# cfn-lint, SAM transform + cfn-lint, checkov over the committed output/; `check` first proves it is
# byte for byte what a fresh synth writes, so one validation covers both.
templates: check
	python3 scripts/validate_templates.py output --checkov "$(CHECKOV)"

# parliament over every identity, resource and trust policy of the committed output/;
# findings not explained in scripts/audit_policies_allow.json fail.
audit:
	python3 scripts/audit_policies.py output

# boto3 against `formwork simulate` and against moto's server, the same scenario on both.
sdk-test: build
	FORMWORK_BIN="$(BIN)/formwork" python3 -m pytest tests/sdk -q -p no:cacheprovider

# The web app in headless Chromium against a simulator; screenshots in .build/browser-artifacts.
browser-test: build
	FORMWORK_BIN="$(BIN)/formwork" python3 -m pytest tests/browser -q -p no:cacheprovider

consumer-test:
	bash scripts/consumer-test.sh

synth: build
	"$(BIN)/formwork" synth --all

# Release build; prints figures (README "Benchmark"): synth and diff, the table engine, the wire API against moto,
# the simulator's start beside moto's, the request path under wrk (apt-get install wrk), and the
# functions as processes (zip sizes, init durations, warm invocations beside in-process).
bench:
	swift build -c release --product formwork
	swift build -c release --product formwork-bench
	"$$(swift build -c release --show-bin-path)/formwork-bench" --runs 7
	"$$(swift build -c release --show-bin-path)/formwork-bench" --tables 1000000
	python3 scripts/bench_wire.py "$$(swift build -c release --show-bin-path)/formwork"
	python3 scripts/bench_startup.py "$$(swift build -c release --show-bin-path)/formwork" --runs 11
	python3 scripts/bench_gateway.py "$$(swift build -c release --show-bin-path)/formwork"
	swift build -c release --product TaskManagementLambda
	"$$(swift build -c release --show-bin-path)/formwork" package --host-architecture
	python3 scripts/bench_functions.py "$$(swift build -c release --show-bin-path)/formwork"
