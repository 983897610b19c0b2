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

# Gradescope (root): the unprivileged user that student code runs as (see autograder/sandbox.py).
if [ "$(id -u)" = 0 ] && ! id autograder-student >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin autograder-student 2>/dev/null ||
    adduser --system --no-create-home autograder-student >/dev/null 2>&1 ||
    echo "setup.sh: could not add the user autograder-student; student code will run as root" >&2
fi
if [ "$(id -u)" = 0 ] && id autograder-student >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
  # The user must be able to run this interpreter. A Python installed under a private home
  # (pyenv in /root) needs its ancestors traversable (o+x: pass through, not list).
  if ! runuser -u autograder-student -- "$VPY" -c "import torch" >/dev/null 2>&1; then
    base=$("$VPY" -c "import sys; print(sys.base_prefix)")
    dir=$(cd "$(dirname "$(readlink -f "$VPY")")" && pwd)
    for d in "$base" "$dir" "$PWD"; do
      while [ "$d" != "/" ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
    done
  fi
  if ! runuser -u autograder-student -- "$VPY" -c "import torch" >/dev/null 2>&1; then
    echo "setup.sh: autograder-student cannot run $VPY; removing the user, student code will run as root" >&2
    userdel autograder-student 2>/dev/null || true
  fi
fi
# Bytecode caches for the harness and the grading tests (pytest's assertion-rewritten ones come from
# collecting them), so a grading run does not compile them again: ~0.5 s a run on Gradescope, where
# every submission starts from this image.
env -u PYTHONDONTWRITEBYTECODE "$VPY" -m compileall -q autograder tests >/dev/null || true
env -u PYTHONDONTWRITEBYTECODE "$VPY" -m pytest tests --collect-only -q --noconftest -o addopts= \
  -p no:cacheprovider >/dev/null 2>&1 || true
"$VPY" -c "import torch, numpy, sympy, pytest, hypothesis, gradescope_utils, jsonschema; print('setup.sh: ready, torch', torch.__version__)"
