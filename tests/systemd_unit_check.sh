#!/bin/sh
# Checks systemd/herald.service offline (docs/service.md):
#  - `systemd-analyze security --offline=true` rates its exposure at most 2.0;
#  - `systemd-analyze verify` finds nothing wrong with it, run on a copy whose
#    ExecStart= names the binary just built (verify checks that it exists).
# Exits 77 (ctest: skipped) when systemd-analyze is not installed.
#
# Usage: systemd_unit_check.sh UNIT HERALD_BINARY
set -eu
unit=$1
binary=$2
limit=2.0

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze not found (Debian package 'systemd'); $unit was not checked"
  exit 77
fi

# The exit status only says whether the level passed --threshold; read it.
report=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
level=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p')
if [ -z "$level" ]; then
  printf '%s\n' "$report"
  echo "FAIL: systemd-analyze security gave no exposure level for $unit"
  exit 1
fi
if awk -v level="$level" -v limit="$limit" 'BEGIN { exit !(level > limit) }'; then
  printf '%s\n' "$report" | grep '✗' || true
  echo "FAIL: $unit: exposure level $level is above $limit (the settings marked ✗ above add to it)"
  exit 1
fi
echo "ok: $unit: exposure level $level (at most $limit)"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sed "s|^ExecStart=/usr/bin/herald |ExecStart=$binary |" "$unit" >"$scratch/herald.service"
if ! problems=$(systemd-analyze verify "$scratch/herald.service" 2>&1) || [ -n "$problems" ]; then
  printf '%s\n' "$problems"
  echo "FAIL: systemd-analyze verify $unit"
  exit 1
fi
echo "ok: $unit: systemd-analyze verify is clean"
