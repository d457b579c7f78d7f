#!/usr/bin/env bash
# Install everything bifkit needs on a fresh Debian machine (idempotent):
# AUTO-07p (the reference engine for cross-checks) and gfortran from apt,
# then bifkit itself with every extra (dask, plot, data, progress, docs) and the test tools from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v auto-07p >/dev/null 2>&1 || ! command -v gfortran >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq auto-07p gfortran >/dev/null
fi
python -m pip install -q -e ".[all,test]" 2>&1 | grep -v "Running pip as the 'root' user" || true
python -c "import bifkit" # fail loudly if the install did not work
