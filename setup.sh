#!/usr/bin/env bash
# Installs everything into .venv beside this script: a CPU-only torch, then requirements.txt.
# The same script serves a fresh laptop, CI and Gradescope's image build (run as root from
# /autograder/source). Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")"

TORCH_VERSION=2.13.0
TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu

# A Python >= 3.11: the first of these that exists; on Gradescope's Ubuntu image (3.10) install 3.11.
find_python() {
  for cand in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    if [ -n "$cand" ] && command -v "$cand" >/dev/null 2>&1 &&
       "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$cand"; return 0
    fi
  done
  return 1
}
if ! PY=$(find_python); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11 python3.11-venv
    PY=python3.11
  else
    echo "setup.sh: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2; exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv || {
    # Debian/Ubuntu ship venv separately.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(basename "$PY")-venv"
      rm -rf .venv && "$PY" -m venv .venv
    else
      exit 1
    fi
  }
fi
VPY=.venv/bin/python

# torch first, CPU-only: PyPI's default Linux wheel pulls several GB of CUDA libraries.
if ! "$VPY" -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '$TORCH_VERSION')" 2>/dev/null; then
  # --no-deps: the CPU index is for torch itself; its dependencies come from PyPI with requirements.txt.
  "$VPY" -m pip install -q --retries 1 --timeout 20 --no-deps --index-url "$TORCH_CPU_INDEX" "torch==$TORCH_VERSION" ||
    "$VPY" -m pip install -q "torch==$TORCH_VERSION"
fi
"$VPY" -m pip install -q -r requirements.txt

# The worker's unprivileged user is added by the isolation work (see the README); nothing else here.
"$VPY" -c "import torch, numpy, sympy, pytest, hypothesis, gradescope_utils, jsonschema; print('setup.sh: ready, torch', torch.__version__)"
