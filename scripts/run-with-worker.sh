#!/usr/bin/env bash
# `make run`: the worker (python -m core worker) and the app side by side; Ctrl-C (or SIGTERM)
# stops both, and when one of them stops the other is stopped too.
# Usage: scripts/run-with-worker.sh PYTHON APP_COMMAND...
set -u
PYTHON="$1"
shift
children=()
stop() {
    trap - INT TERM EXIT
    kill "${children[@]}" 2>/dev/null
    wait
}
trap 'stop; exit 130' INT TERM
trap stop EXIT
"$PYTHON" -m core worker &
children+=($!)
"$@" &
children+=($!)
wait -n
