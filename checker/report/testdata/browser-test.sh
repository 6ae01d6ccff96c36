#!/usr/bin/env bash
# Headless-browser test of the HTML reports (make test-browser, CI).
#
# Installs Debian's chromium when /usr/bin/chromium is missing, then runs
# TestBrowser: it writes the reports of a generated run, loads
# timeline.html and linearizability.html headless, fails on any console
# error, uncaught exception, failed load or dialog, and saves screenshots
# next to the reports (their directory is printed; set
# RAFTCHECK_BROWSER_OUT to choose it).
set -euo pipefail

cd "$(dirname "$0")/../../.."   # repository root

if [ ! -x /usr/bin/chromium ] && [ -z "${RAFTCHECK_CHROMIUM:-}" ]; then
	echo "browser-test: /usr/bin/chromium missing; installing Debian's chromium" >&2
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo="sudo"
		else
			echo "browser-test: need root (or sudo) to apt-get install chromium" >&2
			exit 1
		fi
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update
	$sudo apt-get install -y chromium
fi

RAFTCHECK_BROWSER=1 exec "${GO:-go}" test -count=1 -run '^TestBrowser$' -v ./checker/report/
