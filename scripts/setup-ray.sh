#!/usr/bin/env bash
# Make a virtual environment with Ray for scripts/ray-embed.py (distributed
# embedding) and its test: the versions and wheel hashes pinned in
# scripts/ray-requirements.txt, from PyPI only. Usage: setup-ray.sh [VENV=.ray-venv]
# Idempotent: exits at once when the environment already has the pinned Ray.
set -euo pipefail

VENV="${1:-.ray-venv}"
PY="${PYTHON:-python3}"
HERE="$(cd "$(dirname "$0")" && pwd)"
REQUIREMENTS="$HERE/ray-requirements.txt"
WANT=$(grep -o '^ray==[0-9.]*' "$REQUIREMENTS")

die() { echo "setup-ray: ERROR: $*" >&2; exit 1; }

if [ -x "$VENV/bin/python" ] && [ "$("$VENV/bin/python" -m pip freeze 2>/dev/null | grep '^ray==')" = "$WANT" ]; then
  echo "setup-ray: $WANT present in $VENV"
  exit 0
fi
command -v "$PY" >/dev/null || die "python3 not found"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV" || die "could not make a virtual environment in $VENV (python3-venv installed?)"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: \
    --require-hashes -r "$REQUIREMENTS" \
  || die "pip install of the pinned Ray failed (PyPI reachable? a wheel's hash changed?)"
echo "setup-ray: $WANT installed in $VENV; run scripts/ray-embed.py with $VENV/bin/python"
