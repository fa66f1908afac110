#!/usr/bin/env bash
# Build the sandbox image used by executors/docker (parley-sandbox:latest)
# without any image registry: a minimal Debian bookworm root file system with
# Python 3 is made by debootstrap from this machine's configured apt mirror,
# then imported into the Docker Engine.
#
# Usage: bash scripts/build-sandbox-image.sh [--force] [--tag NAME:TAG]
#
#   --force      rebuild even if the image already exists
#   --tag T      image name (default parley-sandbox:latest, or $PARLEY_SANDBOX_IMAGE)
#
# Needs root (debootstrap) and a running Docker Engine. Installs debootstrap
# with apt-get when it is missing. The mirror is read from
# /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources at run time
# (override with $DEBIAN_MIRROR); no mirror is written into this repository.
set -euo pipefail

tag="${PARLEY_SANDBOX_IMAGE:-parley-sandbox:latest}"
force=0
suite=bookworm
while [ $# -gt 0 ]; do
	case "$1" in
	--force) force=1 ;;
	--tag)
		tag="$2"
		shift
		;;
	--tag=*) tag="${1#--tag=}" ;;
	-h | --help)
		sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "build-sandbox-image: unknown argument $1 (try --help)" >&2
		exit 2
		;;
	esac
	shift
done

log() { printf '[build-sandbox-image] %s\n' "$*" >&2; }
start=$(date +%s)

if ! command -v docker >/dev/null 2>&1; then
	log "the docker CLI is not installed; install docker.io (apt-get install docker.io) and start dockerd"
	exit 1
fi
if ! docker version >/dev/null 2>&1; then
	log "cannot reach the Docker Engine (DOCKER_HOST=${DOCKER_HOST:-unix:///var/run/docker.sock}): is dockerd running?"
	exit 1
fi

if [ "$force" = 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
	log "$tag already exists (use --force to rebuild)"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	log "debootstrap needs root: run this script as root (sudo bash $0)"
	exit 1
fi

# find_mirror prints the first Debian archive URI serving $suite, read from
# the one-line format (sources.list) or the deb822 format (*.sources).
find_mirror() {
	local f
	if [ -r /etc/apt/sources.list ]; then
		awk -v s="$suite" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i+1) == s) { print $i; exit }
		}' /etc/apt/sources.list
	fi
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		# Stanzas are separated by blank lines; keep the URIs of a deb
		# stanza whose Suites field lists the suite itself.
		awk -v s="$suite" '
			function flush() { if (isdeb && hassuite && uri != "") { print uri; found = 1 }; isdeb = 0; hassuite = 0; uri = "" }
			/^[[:space:]]*$/ { flush(); if (found) exit; next }
			/^[[:space:]]*#/ { next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") isdeb = 1 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == s) hassuite = 1 }
			tolower($1) == "uris:" { uri = $2 }
			END { if (!found) flush() }
		' "$f"
	done
}

mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
	mirror="$(find_mirror | head -n1)"
fi
if [ -z "$mirror" ]; then
	log "no apt source for Debian $suite found in /etc/apt/sources.list or /etc/apt/sources.list.d/*.sources; set DEBIAN_MIRROR"
	exit 1
fi
log "using the configured apt mirror for $suite"

if ! command -v debootstrap >/dev/null 2>&1; then
	log "installing debootstrap with apt-get"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

keyring_args=()
if [ -r /usr/share/keyrings/debian-archive-keyring.gpg ]; then
	keyring_args=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
fi

work="$(mktemp -d /tmp/parley-sandbox.XXXXXX)"
cleanup() { rm -rf --one-file-system "$work"; }
trap cleanup EXIT
rootfs="$work/rootfs"

log "debootstrap $suite (minbase + python3) into $rootfs"
debootstrap --variant=minbase --include=python3-minimal,python3 \
	"${keyring_args[@]}" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	log "debootstrap failed (full log above was in $work/debootstrap.log)"
	exit 1
}

# Trim what a sandbox never needs, keep the image small and quick to import.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
	"$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* \
	"$rootfs"/var/log/*.log "$rootfs"/tmp/* 2>/dev/null || true
mkdir -p "$rootfs/workspace"
chmod 1777 "$rootfs/workspace"

old_id="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
log "importing into docker as $tag"
tar --numeric-owner -C "$rootfs" -c . | docker import \
	--change 'CMD ["/bin/sh"]' \
	--change 'WORKDIR /workspace' \
	--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1' \
	--change 'LABEL org.opencontainers.image.title=parley-sandbox' \
	- "$tag" >/dev/null

new_id="$(docker image inspect -f '{{.Id}}' "$tag")"
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
	# --force: drop the image this one replaced (kept if containers use it).
	docker image rm "$old_id" >/dev/null 2>&1 || true
fi
docker run --rm --network none "$tag" python3 -c 'import sys; print("python", sys.version.split()[0])' >&2
log "built $tag in $(($(date +%s) - start))s"
