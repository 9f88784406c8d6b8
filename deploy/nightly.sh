#!/usr/bin/env bash
# The nightly job: push every agency file that arrived in the drop directory
# (deploy/push-drop.sh, which documents the directory's convention), run the
# matching cycle, then make the recommendations of the day.
#
# The files are pushed as their agencies (push-drop.sh: DIBAO_SERVER and
# DIBAO_CERTS); the cycle and the recommendations run as the operator on
# the server's local socket, DIBAO_LOCAL_SOCKET (default
# /run/dibao/grpc.sock), whose file permissions are the proof.
#
# Environment: DIBAO_DROP (default /var/lib/dibao/drop), DIBAO_SERVER,
# DIBAO_CERTS, DIBAO_LOCAL_SOCKET, DIBAO_CTL (default: dibaoctl on PATH,
# else build/cli/dibaoctl), DIBAO_AS_OF (the cycle's day, default today in
# the bureau's time, UTC+8).
set -uo pipefail

ctl=${DIBAO_CTL:-$(command -v dibaoctl || echo "$(dirname "$0")/../build/cli/dibaoctl")}
export DIBAO_CTL=$ctl
"$(dirname "$0")/push-drop.sh"
pushed_all=$?

# Then every household whose facts changed, or whose facts change today on
# their own (a job or benefit ending), is re-assessed. A failed cycle fails
# the job: a night without it has not happened.
as_of=${DIBAO_AS_OF:-$(date -u -d '+8 hours' +%F)}
operator=(--server="unix:${DIBAO_LOCAL_SOCKET:-/run/dibao/grpc.sock}")
"$ctl" "${operator[@]}" cycle run --as-of="$as_of"
cycle=$?
if [ $cycle != 0 ]; then
  echo "nightly: ERROR: the matching cycle for $as_of did not complete (exit $cycle); households were not re-assessed" >&2
  exit 1
fi
# Recommendations for the households whose flags caseworkers confirmed, and
# approved gradual exits whose months are over applied to the registry.
if ! "$ctl" "${operator[@]}" recommendations generate --as-of="$as_of"; then
  echo "nightly: ERROR: recommendations for $as_of were not made" >&2
  exit 1
fi
[ $pushed_all = 0 ]
