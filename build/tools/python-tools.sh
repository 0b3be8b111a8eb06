#!/usr/bin/env bash
# Installs the Python tools the test tiers use, each pinned in its own venv under the tools
# folder (default ~/.cache/conductor-tools, or $CONDUCTOR_TOOLS_DIR). Idempotent: a venv that
# already answers is kept. Prints the tools folder on its last line.
#   current Locust (beside Debian's 2.12 at /usr/bin/locust): <tools>/py-locust-<v>/bin/locust
#   moto's server (an independent ECS implementation):       <tools>/py-moto-<v>/bin/moto_server
set -euo pipefail
LOCUST_VERSION=2.47.0
MOTO_VERSION=5.2.5
tools="${CONDUCTOR_TOOLS_DIR:-$HOME/.cache/conductor-tools}"
mkdir -p "$tools"

venv() { # name, check command, pip requirement
  local dir="$tools/$1" check="$2" req="$3"
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "$check" >/dev/null 2>&1; then return 0; fi
  echo "tools: installing $req into $dir" >&2
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check "$req"
  "$dir/bin/python" -c "$check"
}

venv "py-locust-$LOCUST_VERSION" "import locust; assert locust.__version__ == '$LOCUST_VERSION'" "locust==$LOCUST_VERSION"
venv "py-moto-$MOTO_VERSION" "import moto, flask; assert moto.__version__ == '$MOTO_VERSION'" "moto[server]==$MOTO_VERSION"
echo "$tools"
