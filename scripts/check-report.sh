#!/bin/sh
# Render a Subcast HTML report in headless Chromium and check it (see check-report.py).
#
# Usage:
#   scripts/check-report.sh REPORT.html [OUT.png] [CHART-ID ...] [--fit] [other check-report.py options]
#
#   REPORT.html  the report to check
#   OUT.png      keep the screenshot here (default: a temporary file)
#   CHART-ID     data-chart values that must be present (default: the five run-report charts;
#                --fit expects fit-check and cohort-fit)
#
# Installs Debian's chromium with apt-get when no browser is found and this runs as root.
# Exit status: 0 report OK, 1 check failed, 2 usage or environment error.
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ "$#" -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    [ "$#" -ge 1 ] && exit 0 || exit 2
fi

find_browser() {
    if [ -n "${CHROMIUM:-}" ] && [ -x "$(command -v "$CHROMIUM" 2>/dev/null || true)" ]; then
        command -v "$CHROMIUM"; return 0
    fi
    for b in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
    done
    return 1
}

if ! browser=$(find_browser); then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "check-report: chromium not found; installing it with apt-get (about 30 s)" >&2
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/tmp/check-report-apt.log 2>&1; then
            apt-get update >>/tmp/check-report-apt.log 2>&1 || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >>/tmp/check-report-apt.log 2>&1 || {
                echo "check-report: error: apt-get install chromium failed; see /tmp/check-report-apt.log" >&2
                exit 2
            }
        fi
        browser=$(find_browser) || { echo "check-report: error: chromium still not found after installing" >&2; exit 2; }
    else
        echo "check-report: error: no chromium found; install it (apt-get install -y chromium) or set CHROMIUM=/path/to/browser" >&2
        exit 2
    fi
fi

python=$(command -v python3 || command -v python || true)
if [ -z "$python" ]; then
    echo "check-report: error: python3 is needed" >&2
    exit 2
fi

exec "$python" "$here/check-report.py" --browser "$browser" "$@"
