#!/usr/bin/env bash
# `make run`: the app and the worker side by side; Ctrl-C (or SIGTERM) stops both, and when one
# of them stops the other is stopped too. Usage: scripts/run-with-worker.sh PYTHON_BIN_DIR PORT ADDRESS
set -u
BIN="$1" PORT="$2" ADDRESS="$3"
children=()
stop() {
    trap - INT TERM EXIT
    kill "${children[@]}" 2>/dev/null
    wait
}
trap 'stop; exit 130' INT TERM
trap stop EXIT
"$BIN/python" -m core worker &
children+=($!)
"$BIN/streamlit" run app.py --server.port "$PORT" --server.address "$ADDRESS" &
children+=($!)
wait -n
