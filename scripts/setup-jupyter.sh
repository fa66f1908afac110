#!/bin/sh
# setup-jupyter.sh installs what the executors/jupyter tests and benchmarks
# need from Debian's own packages: a Jupyter Server, the IPython kernel and
# matplotlib, all for Debian's /usr/bin/python3 (a pyenv or venv python3 on
# PATH is left alone). It runs apt-get only when something is missing, and
# prints where jupyter is and which python3 kernelspec it will use.
#
# Usage: sudo scripts/setup-jupyter.sh
set -eu

# jupyter-core provides the `jupyter` command and jupyter-client its
# `kernelspec` subcommand; jupyter-server only recommends them.
packages="jupyter-server jupyter-core jupyter-client python3-ipykernel python3-matplotlib"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup-jupyter: need root to install:$missing (run with sudo)" >&2
		exit 1
	fi
	echo "setup-jupyter: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Wait for another apt/dpkg run instead of failing on its lock.
	lock="-o DPkg::Lock::Timeout=600"
	# shellcheck disable=SC2086 # word splitting of the options is wanted
	apt-get $lock update -q
	# Finish a dpkg run an earlier, interrupted install left half done.
	# shellcheck disable=SC2086
	apt-get $lock install -y -q -f
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	apt-get $lock install -y -q --no-install-recommends $missing
else
	echo "setup-jupyter: jupyter-server, python3-ipykernel and python3-matplotlib already installed"
fi

jupyter=/usr/bin/jupyter
if [ ! -x "$jupyter" ]; then
	echo "setup-jupyter: $jupyter not found after install" >&2
	exit 1
fi
if ! "$jupyter" server --version >/dev/null 2>&1; then
	echo "setup-jupyter: $jupyter has no 'server' subcommand; is jupyter-server installed?" >&2
	exit 1
fi
if ! /usr/bin/python3 -c 'import ipykernel, matplotlib' 2>/dev/null; then
	echo "setup-jupyter: /usr/bin/python3 cannot import ipykernel and matplotlib" >&2
	exit 1
fi

# The python3 kernelspec must run Debian's interpreter (the one that has
# ipykernel and matplotlib), not whatever python3 comes first on PATH.
# ipykernel's built-in spec uses sys.executable, which is /usr/bin/python3 when
# run by it; a user-level spec shadowing it with another python is reported.
spec=$("$jupyter" kernelspec list --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
specs = json.load(sys.stdin)["kernelspecs"]
s = specs.get("python3")
if s is None:
    print("missing")
else:
    print(s["resource_dir"] + " " + s["spec"]["argv"][0])
')
case "$spec" in
missing)
	echo "setup-jupyter: no python3 kernelspec; installing ipykernel's for /usr/bin/python3"
	/usr/bin/python3 -m ipykernel install --sys-prefix --name python3 >/dev/null
	;;
*" python" | *" python3" | *" /usr/bin/python3" | *" /usr/bin/python3."*) ;;
*)
	echo "setup-jupyter: warning: python3 kernelspec at ${spec% *} runs ${spec#* }, not /usr/bin/python3" >&2
	;;
esac

echo "jupyter: $jupyter ($("$jupyter" server --version 2>/dev/null | head -n1))"
"$jupyter" kernelspec list
