#!/usr/bin/env bash
# Runs the server comparison described in bench/README.md in one go:
# builds the load generator, the peers and (if it builds) gosmtpd, installs
# the Debian packages the other servers come from when they are missing,
# then hands over to benchrun, which prints one Markdown table per scenario.
#
#   bench/run.sh            # full run: 3 interleaved repetitions of 5 s
#   bench/run.sh -q         # smoke run: 1 repetition of 1 s per server
#   bench/run.sh -r 5 -d 10s -scenarios lockstep,full -o /tmp/report.md
#
# Every flag is benchrun's (bench/cmd/benchrun); see its -h.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# The servers and clients other than our own come from Debian packages:
# util-linux (taskset), postfix (smtp-sink, smtp-source; only the binaries
# are used, the Postfix daemon is never started) and python3-aiosmtpd.
ensure_packages() {
	local need=()
	command -v taskset >/dev/null || need+=(util-linux)
	[[ -x /usr/sbin/smtp-sink && -x /usr/sbin/smtp-source ]] || need+=(postfix)
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
	((${#need[@]} == 0)) && return 0
	if [[ $(id -u) != 0 ]]; then
		echo "run.sh: missing ${need[*]}; install them as root, or those servers are skipped" >&2
		return 0
	fi
	echo "run.sh: installing ${need[*]}" >&2
	# "No configuration" keeps the postfix package from setting up and
	# starting its mail daemon.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
}
ensure_packages

# 1000 sessions need more than the usual 1024 descriptors on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

bin=$(mktemp -d "${TMPDIR:-/tmp}/gosmtpd-bench.XXXXXX")
trap 'rm -rf "$bin"' EXIT
echo "run.sh: building into $bin" >&2
go build -o "$bin/smtpload" ./bench/cmd/smtpload
go build -o "$bin/canned" ./bench/peers/canned
go build -o "$bin/benchrun" ./bench/cmd/benchrun
(cd bench/peers/gosmtp && GOWORK=off go build -o "$bin/gosmtp-sink" .)
for pkg in gosmtpd=./cmd/gosmtpd hooked=./bench/peers/hooked; do
	name=${pkg%%=*}
	if ! go build -o "$bin/$name" "${pkg#*=}" 2>"$bin/$name-build.log"; then
		echo "run.sh: ${pkg#*=} does not build; $name is skipped:" >&2
		sed 's/^/    /' "$bin/$name-build.log" | head -n 5 >&2
		rm -f "$bin/$name"
	fi
done

"$bin/benchrun" -bin "$bin" "$@"
