#!/usr/bin/env bash
# The nightly job: push every agency file that arrived in the drop directory
# (deploy/push-drop.sh, which documents the directory's convention), then
# run the matching cycle.
#
# Environment: DIBAO_DROP (default /var/lib/dibao/drop), DIBAO_SERVER,
# DIBAO_CTL (default: dibaoctl on PATH, else build/cli/dibaoctl).
set -uo pipefail

ctl=${DIBAO_CTL:-$(command -v dibaoctl || echo "$(dirname "$0")/../build/cli/dibaoctl")}
export DIBAO_CTL=$ctl
"$(dirname "$0")/push-drop.sh"
pushed_all=$?

# The matching cycle comes with the matching-engine issue. Until it exists
# this step fails loudly, so nobody mistakes a push for a full night.
if ! "$ctl" cycle run 2>/dev/null; then
  echo "nightly: ERROR: the matching cycle ('dibaoctl cycle run') is not available yet; feeds were pushed but no household was re-assessed" >&2
  exit 1
fi
[ $pushed_all = 0 ]
