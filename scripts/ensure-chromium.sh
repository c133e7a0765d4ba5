#!/usr/bin/env bash
# Make sure a real headless browser is there for the tests that open pages (plots, the explorer,
# the docs site): Debian's `chromium`, installed from Debian's packages when missing (root only).
# No browser download from anywhere else. Prints `chromium: <path>` on success.
#
# Environment:
#   HARVESTRY_CHROMIUM=PATH   use this browser binary instead (nothing is installed)
set -Eeuo pipefail

if [[ -n ${HARVESTRY_CHROMIUM:-} ]]; then
  [[ -x $HARVESTRY_CHROMIUM ]] || { echo "chromium: HARVESTRY_CHROMIUM=$HARVESTRY_CHROMIUM is not an executable file" >&2; exit 1; }
  echo "chromium: $HARVESTRY_CHROMIUM"
  exit 0
fi

for candidate in /usr/bin/chromium /usr/bin/chromium-browser; do
  if [[ -x $candidate ]]; then
    echo "chromium: $candidate"
    exit 0
  fi
done

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: not installed, and this script can install it only as root with apt-get." >&2
  echo "  Install Debian's chromium (apt-get install chromium) or set HARVESTRY_CHROMIUM to a browser binary." >&2
  exit 1
fi

# Wait for another apt (the SLURM setup, a parallel test run) instead of failing on its lock.
apt_opts=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
export DEBIAN_FRONTEND=noninteractive
echo "chromium: installing Debian's chromium (apt-get install chromium)…"
apt-get "${apt_opts[@]}" update -qq >/dev/null
apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
[[ -x /usr/bin/chromium ]] || { echo "chromium: apt-get finished but /usr/bin/chromium is missing" >&2; exit 1; }
echo "chromium: /usr/bin/chromium"
