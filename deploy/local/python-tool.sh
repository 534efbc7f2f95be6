#!/usr/bin/env bash
# A Python tool from PyPI in a virtual environment of its own under .build/, made once; prints the environment's path.
#
#   venv=$(bash deploy/local/python-tool.sh schemathesis 4.32.5)
#
# Installs Debian's python3-venv when the interpreter lacks it (as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
package=$1 version=$2
venv=.build/$package-$version
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/pip" show --quiet "$package" >/dev/null 2>&1; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian ships venv separately.
    rm -rf "$venv"
    apt-get update -qq >&2 && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version" >&2
fi
echo "$venv"
