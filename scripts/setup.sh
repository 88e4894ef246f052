#!/usr/bin/env bash
# Installs the Debian packages Cascade builds with, if any is missing. Safe to run again: it installs nothing when
# everything is present. Needs root (or sudo) only when something must be installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config   # compiler and build system
  libcjson-dev                       # config files (sim/config*.c)
  libcunit1-dev                      # unit tests
  libsdl2-dev libsdl2-ttf-dev        # live view (render/), optional with -DCASCADE_VIEW=OFF
  gnuplot-nox                        # figures (paper/, bench/)
  python3-mpmath                     # a test regenerates core/rng_ziggurat.inc (50-digit tables) to check it is current
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "setup: missing packages (${missing[*]}) and not root; install them with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
