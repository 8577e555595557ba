#!/usr/bin/env bash
# Runs a test on a private Xvfb display, optionally under the jwm window manager:
#   with-xvfb.sh [--jwm] PROGRAM [ARGS...]
# Xvfb picks a free display itself (-displayfd): the machine may be shared. Xvfb and jwm are
# ended by PID whatever happens; the test's exit status is passed on. With --jwm the test sees
# SP_TEST_WM=jwm once jwm has set _NET_SUPPORTING_WM_CHECK on the root window.
set -u

wm=
if [ "${1:-}" = --jwm ]; then
  wm=jwm
  shift
fi

skip() {
  echo "1..0 # SKIP $1"
  exit 0
}
command -v Xvfb >/dev/null || skip "Xvfb is not installed"
if [ -n "$wm" ]; then
  command -v jwm >/dev/null || skip "jwm is not installed"
  command -v xprop >/dev/null || skip "xprop is not installed"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sp-xvfb-XXXXXX")
xvfb_pid=
wm_pid=
cleanup() {
  [ -n "$wm_pid" ] && kill "$wm_pid" 2>/dev/null && wait "$wm_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

fail() {
  echo "Bail out! $1" >&2
  echo "Bail out! $1"
  [ -f "$tmp/xvfb.log" ] && sed 's/^/# xvfb: /' "$tmp/xvfb.log"
  [ -f "$tmp/wm.log" ] && sed 's/^/# jwm: /' "$tmp/wm.log"
  exit 1
}

# -noreset: without it the server resets each time its last client leaves (between two tests)
# and refuses or drops the connections made during the reset.
Xvfb -displayfd 3 -screen 0 1280x720x24 -nolisten tcp -noreset 3>"$tmp/display" \
  >"$tmp/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 200); do
  [ -s "$tmp/display" ] && break
  kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb exited"
  sleep 0.05
done
[ -s "$tmp/display" ] || fail "Xvfb did not report its display within 10 s"
export DISPLAY=":$(head -n1 "$tmp/display")"
unset WAYLAND_DISPLAY

if [ -n "$wm" ]; then
  mkdir "$tmp/home"
  HOME="$tmp/home" jwm >"$tmp/wm.log" 2>&1 &
  wm_pid=$!
  for _ in $(seq 200); do
    xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id' && break
    kill -0 "$wm_pid" 2>/dev/null || fail "jwm exited"
    sleep 0.05
  done
  xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id' \
    || fail "jwm did not take over the display within 10 s"
  export SP_TEST_WM=$wm
fi

rc=0
"$@" || rc=$?
exit "$rc"
