#!/usr/bin/env bash
# test.sh installs everything Parley's tests need on a fresh Debian machine
# and runs the whole suite: vet, staticcheck, every package's tests under the
# race detector (Docker and Jupyter tests included: with CI=true they must
# run), and short fuzzing of the parsers.
#
# Usage: bash scripts/test.sh            (as root, or with sudo for apt-get)
#
# Environment:
#   PARLEY_FUZZTIME   how long each fuzz target runs (default 15s; 0 skips)
set -euo pipefail
cd "$(dirname "$0")/.."

# A bare environment (cron, some CI runners) may lack these; go needs both.
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"

log() { printf '\n[test] %s\n' "$*"; }
start=$(date +%s)

# Debian packages, in one apt run: tmux drives the terminal tests, the
# notebook validator checks exported notebooks, Jupyter runs the Jupyter
# executor's tests and debootstrap builds the Docker image. The two scripts
# below install their own share too when run alone; here they find it done.
packages=(tmux python3-nbformat jupyter-server jupyter-core jupyter-client
	python3-ipykernel python3-matplotlib debootstrap)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "apt-get install ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=600 update -q
	apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi

log "Jupyter Server, ipykernel, matplotlib"
sh scripts/setup-jupyter.sh

if ! docker version >/dev/null 2>&1; then
	log "the Docker Engine is not answering; starting dockerd"
	(dockerd >/tmp/parley-dockerd.log 2>&1 &)
	for _ in $(seq 1 60); do
		docker version >/dev/null 2>&1 && break
		sleep 1
	done
	docker version >/dev/null || {
		tail -n 20 /tmp/parley-dockerd.log >&2
		echo "[test] dockerd did not start" >&2
		exit 1
	}
fi
log "sandbox image for executors/docker"
bash scripts/build-sandbox-image.sh

log "go vet"
go vet ./...
log "staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

log "go test -race ./..."
go test -race -count=1 -timeout 30m ./...

fuzztime="${PARLEY_FUZZTIME:-15s}"
if [ "$fuzztime" != "0" ]; then
	for target in markdown:FuzzExtract conversation:FuzzReadTranscript agents/audit:FuzzCheck \
		agents/policy:FuzzParseVerdict agents/openaitest:FuzzReadReplay; do
		pkg="${target%%:*}" fn="${target##*:}"
		log "fuzz $fn in ./$pkg for $fuzztime"
		# Minimising new inputs can take a minute per input; CI only wants
		# the search.
		go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$fuzztime" -fuzzminimizetime 1x "./$pkg"
	done
fi

log "all tests passed in $(($(date +%s) - start))s"
