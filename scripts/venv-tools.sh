# Sourced by the install scripts: pinned Python tools in virtual environments of their own,
# installed only when missing. Needs `log` and $PYTHON from the sourcing script.

installed_version() {
    # $1: python executable, $2: distribution name; prints the version or nothing.
    "$1" -c 'import sys, importlib.metadata as m
try:
    print(m.version(sys.argv[1]))
except m.PackageNotFoundError:
    pass' "$2" 2>/dev/null || true
}

install_in_venv() {
    # $1: the venv directory, $2: distribution name, $3: pinned version, $4: the executable it provides.
    local venv="$1" package="$2" version="$3" executable="$4"
    if [ -x "$venv/bin/$executable" ] && [ "$(installed_version "$venv/bin/python" "$package")" = "$version" ]; then
        log "$package $version already installed in $venv"
        return
    fi
    if [ ! -x "$venv/bin/python" ]; then
        log "creating $venv"
        "$PYTHON" -m venv "$venv"
    fi
    log "installing $package==$version into $venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "$package==$version"
}
