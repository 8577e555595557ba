#!/bin/sh
# Runs a test program inside a private world with PipeWire + WirePlumber (TESTENV.md §3.1):
# temporary HOME and XDG directories, a private session bus (WirePlumber wants one), pipewire
# and wireplumber started as children and stopped by PID afterwards. The program's exit code
# is passed on. Usage: with-pipewire.sh PROGRAM [ARGS...]
set -u

T=$(mktemp -d /tmp/sp-pw-XXXXXX) || exit 99
export HOME="$T/home" XDG_RUNTIME_DIR="$T/run" XDG_STATE_HOME="$T/state" \
  XDG_CONFIG_HOME="$T/config" XDG_CACHE_HOME="$T/cache" XDG_DATA_HOME="$T/data"
unset PIPEWIRE_REMOTE PIPEWIRE_RUNTIME_DIR
mkdir -p "$HOME" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"

BUS= PW= WP= TEST=
cleanup() {
  for pid in $TEST $WP $PW $BUS; do kill "$pid" 2>/dev/null; done
  for pid in $TEST $WP $PW $BUS; do wait "$pid" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# $1 is a shell condition; 20 s at most.
wait_for() {
  i=0
  while ! eval "$1"; do
    i=$((i + 1))
    if [ $i -gt 400 ]; then
      echo "with-pipewire.sh: timeout waiting for: $1" >&2
      for log in "$T"/*.log; do echo "--- $log" >&2; tail -n 20 "$log" >&2; done
      return 1
    fi
    sleep 0.05
  done
}

dbus-daemon --session --nofork --print-address=1 --address="unix:path=$XDG_RUNTIME_DIR/bus" \
  >"$T/bus-address" 2>"$T/dbus.log" &
BUS=$!
wait_for '[ -s "$T/bus-address" ]' || exit 99
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$T/bus-address")
export DBUS_SESSION_BUS_ADDRESS

pipewire >"$T/pipewire.log" 2>&1 &
PW=$!
# WirePlumber exits if PipeWire does not accept its connection yet: the socket file exists a
# moment before PipeWire listens on it.
wait_for 'pw-cli info 0 >/dev/null 2>&1' || exit 99
wireplumber >"$T/wireplumber.log" 2>&1 &
WP=$!
wait_for 'pw-metadata -n default 2>/dev/null | grep -q .' || exit 99

"$@" &
TEST=$!
wait "$TEST"
rc=$?
TEST=
exit $rc
