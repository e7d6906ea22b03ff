#!/bin/sh
# flowc collectors of {{ host_name }}: start | stop | status | restart | reload
# Written by `flowc render --target shell`. Runs `flowc run plan.json --site site.yaml`
# in the background from this directory; edit site.yaml to change addresses.
# FLOWC overrides the command (default: {{ flowc }}); STOP_TIMEOUT the seconds a stop
# waits for the collectors to close their files (default 60).
set -eu

HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
FLOWC=${FLOWC:-{{ flowc | shq }}}
STOP_TIMEOUT=${STOP_TIMEOUT:-60}
PIDFILE="$HERE/flowc.pid"
LOG="$HERE/flowc.log"
CONTROL="$HERE/{{ control }}"

running() {
    [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

start() {
    if running; then
        echo "flowc: already running (pid $(cat "$PIDFILE"))"
        return 0
    fi
    cd "$HERE"
    mkdir -p {{ spool | shq }}
    # shellcheck disable=SC2086  # FLOWC may be a command with arguments
    nohup $FLOWC run plan.json --site site.yaml >>"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    tries=0
    while [ "$tries" -lt 100 ]; do
        if ! running; then
            rm -f "$PIDFILE"
            echo "flowc: did not start; the end of $LOG says why:" >&2
            tail -n 20 "$LOG" >&2
            return 1
        fi
        if [ -S "$CONTROL" ]; then
            echo "flowc: started (pid $(cat "$PIDFILE")), control socket $CONTROL"
            return 0
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    echo "flowc: started (pid $(cat "$PIDFILE")); the control socket is not up yet"
}

stop() {
    if ! running; then
        rm -f "$PIDFILE"
        echo "flowc: not running"
        return 0
    fi
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid"
    waited=0
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$waited" -ge $((STOP_TIMEOUT * 10)) ]; then
            echo "flowc: pid $pid did not stop within ${STOP_TIMEOUT}s; sending SIGKILL" \
                 "(closed files stay in the spool and are sent at the next start)" >&2
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    rm -f "$PIDFILE"
    echo "flowc: stopped"
}

status() {
    if running; then
        echo "flowc: running (pid $(cat "$PIDFILE"))"
        return 0
    fi
    echo "flowc: stopped"
    return 3
}

reload() {
    if ! running; then
        echo "flowc: not running" >&2
        return 1
    fi
    # the engine re-reads plan.json and site.yaml and applies the change live; refused: unchanged
    # shellcheck disable=SC2086  # FLOWC may be a command with arguments
    $FLOWC request services flow-collector reload --control "$CONTROL"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    restart) stop && start ;;
    reload) reload ;;
    *)
        echo "usage: $0 start|stop|status|restart|reload" >&2
        exit 2
        ;;
esac
