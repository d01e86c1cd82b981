#!/usr/bin/env bash
# Installs what the Swift build and scripts/validate_templates.py need, and only what is missing:
#   - libyaml-dev (system libyaml for the CYAML module), zlib1g-dev, curl, binutils (readelf, the
#     oracle of the bootstrap check's ELF reader), and chromium with
#     chromium-driver (the web app's browser test), through apt-get;
#   - selenium (tests/browser/requirements.txt), pinned;
#   - cfn-lint and aws-sam-translator, pinned, into the Python that runs the validator
#     ($PYTHON, default python3);
#   - checkov, pinned, into .venv-checkov/ at the repository root (git-ignored), because it
#     pins its own versions of boto3 and other libraries cfn-lint and the SAM translator share;
#   - parliament (scripts/audit_policies.py), pinned, into $PYTHON next to cfn-lint: it requires
#     only boto3, jmespath, pyyaml (unpinned, so the versions already installed satisfy it) and
#     json-cfg, so it shares the interpreter without a conflict. It imports pkg_resources, which
#     setuptools 82 removed; setuptools is pinned below 81 only when pkg_resources is missing.
# Safe to run again: every step first checks whether it is already done.
set -euo pipefail

CFN_LINT_VERSION=1.51.0
SAM_TRANSLATOR_VERSION=1.110.0
CHECKOV_VERSION=3.3.30
PARLIAMENT_VERSION=1.6.4
# parliament's own requirements that nothing else here installs: json-cfg and what it needs.
JSON_CFG_VERSION=0.4.2
KWONLY_ARGS_VERSION=1.0.10
SETUPTOOLS_WITH_PKG_RESOURCES=80.10.2

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
CHECKOV_VENV="$REPO/.venv-checkov"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

log() { printf '%s\n' "install-test-deps: $*"; }

# --- system packages ---------------------------------------------------------------------

apt_missing=()
if command -v dpkg >/dev/null 2>&1; then
    dpkg -s libyaml-dev >/dev/null 2>&1 || apt_missing+=(libyaml-dev)
    # zlib's headers, for the simulator's gzip (compress-nio links the system zlib).
    dpkg -s zlib1g-dev >/dev/null 2>&1 || apt_missing+=(zlib1g-dev)
    command -v readelf >/dev/null 2>&1 || apt_missing+=(binutils)
    command -v curl >/dev/null 2>&1 || apt_missing+=(curl)
    # The web app's browser test drives Debian's headless Chromium through its driver.
    dpkg -s chromium >/dev/null 2>&1 || apt_missing+=(chromium)
    dpkg -s chromium-driver >/dev/null 2>&1 || apt_missing+=(chromium-driver)
    # `python3 -m venv` needs ensurepip, which Debian ships separately in python3-venv.
    if ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
        apt_missing+=(python3-venv)
    fi
    if [ "${#apt_missing[@]}" -gt 0 ]; then
        log "installing ${apt_missing[*]}"
        $SUDO apt-get update
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${apt_missing[@]}"
    else
        log "libyaml-dev, zlib1g-dev, curl and chromium already installed"
    fi
elif command -v pkg-config >/dev/null 2>&1 && pkg-config --exists yaml-0.1; then
    log "libyaml found through pkg-config"
else
    log "warning: no dpkg and no pkg-config yaml-0.1; install libyaml yourself (macOS: brew install libyaml)"
fi

# --- cfn-lint and aws-sam-translator ------------------------------------------------------

# shellcheck source=venv-tools.sh
. "$REPO/scripts/venv-tools.sh"

wanted=()
[ "$(installed_version "$PYTHON" cfn-lint)" = "$CFN_LINT_VERSION" ] || wanted+=("cfn-lint==$CFN_LINT_VERSION")
[ "$(installed_version "$PYTHON" aws-sam-translator)" = "$SAM_TRANSLATOR_VERSION" ] \
    || wanted+=("aws-sam-translator==$SAM_TRANSLATOR_VERSION")
if [ "${#wanted[@]}" -gt 0 ]; then
    log "installing ${wanted[*]} into $("$PYTHON" -c 'import sys; print(sys.executable)')"
    if ! "$PYTHON" -m pip install --disable-pip-version-check "${wanted[@]}"; then
        log "error: pip could not install into $PYTHON."
        log "If it is an externally managed system Python, create a virtual environment and run"
        log "  PYTHON=/path/to/venv/bin/python $0"
        exit 1
    fi
else
    log "cfn-lint $CFN_LINT_VERSION and aws-sam-translator $SAM_TRANSLATOR_VERSION already installed"
fi

# --- the SDK compatibility suite (tests/sdk): boto3, moto's server, pytest -------------------

# Every requirement is pinned, so when all are installed pip changes nothing and needs no index.
log "tests/sdk/requirements.txt"
"$PYTHON" -m pip install --disable-pip-version-check --quiet -r "$REPO/tests/sdk/requirements.txt"

# --- the browser test (tests/browser): selenium ------------------------------------------------

log "tests/browser/requirements.txt"
"$PYTHON" -m pip install --disable-pip-version-check --quiet -r "$REPO/tests/browser/requirements.txt"

# --- parliament (scripts/audit_policies.py) -------------------------------------------------

# After tests/sdk/requirements.txt, so boto3 is already at its pin when parliament asks for any boto3.
wanted=()
[ "$(installed_version "$PYTHON" parliament)" = "$PARLIAMENT_VERSION" ] || wanted+=("parliament==$PARLIAMENT_VERSION")
[ "$(installed_version "$PYTHON" json-cfg)" = "$JSON_CFG_VERSION" ] || wanted+=("json-cfg==$JSON_CFG_VERSION")
[ "$(installed_version "$PYTHON" kwonly-args)" = "$KWONLY_ARGS_VERSION" ] || wanted+=("kwonly-args==$KWONLY_ARGS_VERSION")
if ! "$PYTHON" -c 'import pkg_resources' >/dev/null 2>&1; then
    wanted+=("setuptools==$SETUPTOOLS_WITH_PKG_RESOURCES")
fi
if [ "${#wanted[@]}" -gt 0 ]; then
    log "installing ${wanted[*]}"
    "$PYTHON" -m pip install --disable-pip-version-check --quiet "${wanted[@]}"
else
    log "parliament $PARLIAMENT_VERSION already installed"
fi

# --- checkov in its own virtual environment -----------------------------------------------

install_in_venv "$CHECKOV_VENV" checkov "$CHECKOV_VERSION" checkov

log "done: validate with  $PYTHON scripts/validate_templates.py output --checkov $CHECKOV_VENV/bin/checkov"
log "      audit policies with  $PYTHON scripts/audit_policies.py output"
