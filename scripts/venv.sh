# Sourced by ./pad and ./test: make .venv once and (re)install only when the requirements change.
# Usage: ensure_venv NAME PIP_ARGS...   (NAME labels the stamp; PIP_ARGS are what to install)
set -euo pipefail

ensure_venv() {
    local name=$1
    shift
    local root stamp wanted
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    if [ ! -x "$root/.venv/bin/python" ]; then
        echo "creating $root/.venv" >&2
        "${PYTHON:-python3}" -m venv "$root/.venv"
        "$root/.venv/bin/python" -m pip install --quiet --upgrade pip
    fi
    stamp="$root/.venv/.digits-$name"
    wanted=$(cat "$root/pyproject.toml" "$root/runtime/requirements.txt" | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        echo "installing $name dependencies into .venv" >&2
        (cd "$root" && .venv/bin/python -m pip install --quiet "$@")
        echo "$wanted" >"$stamp"
    fi
}
