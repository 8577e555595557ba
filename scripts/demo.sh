#!/usr/bin/env bash
# The Sportello demo, end to end on loopback: installs what is missing, builds, starts a private
# D-Bus session with PipeWire (and a virtual camera), gnome-keyring and sportellod on the demo
# config, then shows it working through sportelloctl, as a CRM would drive it.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

bash scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then meson setup build --werror >/dev/null; fi
ninja -C build >/dev/null

T=$(mktemp -d /tmp/sportello-demo.XXXXXX)
export HOME=$T/home XDG_RUNTIME_DIR=$T/run XDG_DATA_HOME=$T/data XDG_CONFIG_HOME=$T/config \
       XDG_STATE_HOME=$T/state XDG_CACHE_HOME=$T/cache LANG=C.UTF-8
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"
PIDS=()
cleanup() {
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${PGD:-}" ]; then
    (cd /tmp && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PGD/data" -m fast -w stop >/dev/null 2>&1) || true
    rm -rf "$PGD"
  fi
  rm -rf "$T"
}
trap cleanup EXIT

ctl() { echo; echo "\$ sportelloctl $*"; "$SRC/build/crm-adapters/sportelloctl/sportelloctl" "$@"; }
step() { echo; echo "=== $*"; }
wait_for() { for _ in $(seq 1 200); do if eval "$1"; then return 0; fi; sleep 0.05; done; echo "timed out: $1" >&2; return 1; }

step "A virtual X display with a window manager, for the video window (Xvfb + jwm)"
exec 4>"$T/display"
Xvfb -displayfd 4 -screen 0 1280x720x24 -nolisten tcp -noreset >"$T/xvfb.log" 2>&1 & PIDS+=($!)
wait_for "[ -s $T/display ]"
export DISPLAY=":$(head -1 "$T/display")"
jwm >"$T/jwm.log" 2>&1 & PIDS+=($!)
echo "DISPLAY=$DISPLAY"
SHOTS=${SPORTELLO_DEMO_OUTPUT:-$SRC}
shot() { # a PNG of the video window, kept after the demo
  local wid; wid=$(xdotool search --name 'Sportello' | head -1)
  import -window "$wid" "png:$SHOTS/$1"
  echo "screenshot of the video window: $SHOTS/$1"
}

step "A private session bus, PipeWire, WirePlumber and an unlocked gnome-keyring"
dbus-daemon --session --nofork --print-address=1 --address="unix:path=$XDG_RUNTIME_DIR/bus" >"$T/bus.addr" 2>/dev/null &
PIDS+=($!)
wait_for "[ -s $T/bus.addr ]"
export DBUS_SESSION_BUS_ADDRESS=$(head -1 "$T/bus.addr")
pipewire >"$T/pipewire.log" 2>&1 & PIDS+=($!)
wireplumber >"$T/wireplumber.log" 2>&1 & PIDS+=($!)
wait_for "[ -S $XDG_RUNTIME_DIR/pipewire-0 ]"
printf 'demo' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$T/keyring.log" 2>&1 & PIDS+=($!)
gdbus wait --session --timeout 10 org.freedesktop.secrets
echo "bus: $DBUS_SESSION_BUS_ADDRESS"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_'"$1"'); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

step "PostgreSQL, the team's shared store: a throwaway cluster on loopback (initdb, pg_ctl)"
PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=$(free_port STREAM)
PGD=$(mktemp -d /tmp/sportello-demo-pg.XXXXXX)
AS_PG=()
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PGD"; AS_PG=(runuser -u postgres --); fi
(cd /tmp && "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PGD/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null)
(cd /tmp && "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PGD/data" -l "$PGD/postgres.log" -w \
   -o "-p $PG_PORT -k $PGD -c listen_addresses=127.0.0.1" start >/dev/null)
SHARED_STORE="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
echo "[shared-store] uri = $SHARED_STORE (a password would go in the keyring: sportelloctl secret set --account URI --kind shared-store-password)"
step "sportellod on the demo config (data/demo/sportello.conf)"
# Bob, the agent calls are transferred to, is a second sportellod on this machine: the
# directory entry gets the port it listens on.
# Carla, the expert of the consultation and the conference, is a softphone started later.
BOB_SIP=$(free_port DGRAM); CSIP=$(free_port DGRAM)
sed -e "s|^uri = sip:bob@127.0.0.1\$|uri = sip:bob@127.0.0.1:$BOB_SIP|" \
    -e "s|^uri = sip:carla@127.0.0.1\$|uri = sip:carla@127.0.0.1:$CSIP|" "$SRC/data/demo/sportello.conf" >"$T/sportello.conf"
# Co-browse: the relay's port and the company site (a sample site served later) are set now, as
# sportellod reads [co-browse] at start.
CB_PORT=$(free_port STREAM); SITE_PORT=$(free_port STREAM)
printf '\n[co-browse]\nlisten = 127.0.0.1:%s\npublic-url = http://127.0.0.1:%s\nsite-origins = http://127.0.0.1:%s\nstart-url = http://127.0.0.1:%s/index.html\n' \
  "$CB_PORT" "$CB_PORT" "$SITE_PORT" "$SITE_PORT" >>"$T/sportello.conf"
printf '\n[shared-store]\nuri = %s\n' "$SHARED_STORE" >>"$T/sportello.conf"
"$SRC/build/service/sportellod" --check-config --config "$T/sportello.conf"
"$SRC/build/service/sportellod" --config "$T/sportello.conf" >"$T/sportellod.log" 2>&1 &
SPORTELLOD=$!
PIDS+=($SPORTELLOD)
gdbus wait --session --timeout 10 org.sportello.Sportello1
"$SRC/build/crm-adapters/sportelloctl/sportelloctl" watch >"$T/watch.log" 2>&1 & PIDS+=($!)

step "The agent's workstation"
ctl status
ctl agents
ctl queues
ctl dispositions
ctl case-data-keys

step "Readiness for routed calls: Ready, Not ready with a reason, after-call work after a call"
ctl reasons
ctl not-ready lunch
ctl readiness
ctl ready

step "Customer records: import from CSV and vCard, screen pop by any spelling of a number"
ctl contacts import "$SRC/data/demo/contacts.csv"
ctl contacts import "$SRC/data/demo/contacts.vcf"
ctl contacts lookup 'sip:+39021234@pbx.example.com;user=phone'
ctl contacts lookup '0039 011 987 6543'
ctl contacts search mull
ctl contacts add --first-name Paolo --last-name Conti --organisation 'Conti Elettronica' --address '+39 055 7788'
ctl contacts lookup '+39055 7788'
ctl contacts history crm-1001

step "Standard responses, customised for the contact"
ctl responses import "$SRC/data/demo/responses.json"
ctl responses categories
ctl responses search category:opening
ctl responses render greeting --contact crm-1001
ctl responses render ticket --contact crm-1002 --attached AccountNumber=AC-7781
echo "(a placeholder without a value is an error, never blank text:)"
ctl responses render video-offer --contact crm-1001 || true

step "The team's shared store: every write is local first and queued; sportelloctl shows where it stands"
ctl store sync --wait
echo "(contacts and responses imported above are already queued and sent; an agent joining with an older store sends all of it:)"
ctl store import

step "Camera presence through PipeWire: a virtual camera comes and goes"
ctl status | grep -i camera
# A PipeWire Video/Source node that behaves like a camera (tests/tools/sp-virtual-camera).
CAMERA_TOOL="$SRC/build/tests/tools/sp-virtual-camera"
"$CAMERA_TOOL" --name demo-camera --description Demo-Camera >"$T/camera.log" 2>&1 &
CAMERA=$!
PIDS+=($CAMERA)
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' status | grep -q 'CameraAvailable: *yes'"
ctl status | grep -i camera
kill $CAMERA; wait $CAMERA 2>/dev/null || true
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' status | grep -q 'CameraAvailable: *no'"
ctl status | grep -i camera

step "The SIP password goes to the Secret Service, never to the config"
echo "\$ echo '********' | sportelloctl secret set"
echo 'demo-sip-password' | "$SRC/build/crm-adapters/sportelloctl/sportelloctl" secret set
echo "stored in gnome-keyring: $(secret-tool lookup account sip:agent1@127.0.0.1 kind sip-password | sed 's/./*/g')"
ctl secret clear

step "The push catalogue: clips are checked by decoding them, thumbnails are made"
gst-launch-1.0 -q webmmux name=mux ! filesink location="$T/l200-tour.webm" \
  videotestsrc num-buffers=120 pattern=pinwheel ! video/x-raw,width=640,height=480,framerate=30/1 ! vp8enc deadline=1 ! mux. \
  audiotestsrc num-buffers=188 freq=660 ! audioconvert ! opusenc ! mux.
printf 'not a video' >"$T/broken.webm"
ctl push add "$T/l200-tour.webm" --title "L-200 lathe: a tour" --description "Four seconds around the machine"
echo "(a file that does not decode is refused with the decoder's reason:)"
ctl push add "$T/broken.webm" --title "Broken" || true
ctl push list
PUSH_ID=$("$SRC/build/crm-adapters/sportelloctl/sportelloctl" --json push list | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

step "The agent's camera: a PipeWire virtual camera (moving colour bars)"
"$CAMERA_TOOL" --name demo-camera --description Demo-Camera >"$T/camera2.log" 2>&1 & PIDS+=($!)
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' status | grep -q 'CameraAvailable: *yes'"
ctl status | grep -i camera

step "A customer calls in from a real softphone (baresip); the agent works the call through sportelloctl"
SIP_URI=$("$SRC/build/crm-adapters/sportelloctl/sportelloctl" --json status | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ContactUri"])')
echo "sportellod listens for SIP at $SIP_URI (Agent1.ContactUri)"
BSIP=$(free_port DGRAM); BCTRL=$(free_port STREAM)
mkdir -p "$T/baresip"
cat >"$T/baresip/config" <<CONF
poll_method epoll
sip_listen 127.0.0.1:$BSIP
net_interface 127.0.0.1
audio_source ausine,1000
audio_player aubridge,nil
audio_alert aubridge,nil
rtcp_mux no
module_path /usr/lib/baresip/modules
video_source fakevideo,nil
video_display fakevideo,nil
video_size 640x480
video_fps 30.00
module opus.so
module g711.so
module ausine.so
module aubridge.so
module vp8.so
module fakevideo.so
module_app account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:$BCTRL
CONF
echo "<sip:maria@127.0.0.1:$BSIP>;regint=0;answermode=auto" >"$T/baresip/accounts"
baresip -4 -f "$T/baresip" </dev/null >"$T/baresip.log" 2>&1 &
PIDS+=($!)
wait_for "(exec 3<>/dev/tcp/127.0.0.1/$BCTRL) 2>/dev/null"
exec 3<>"/dev/tcp/127.0.0.1/$BCTRL"
DIAL="{\"command\":\"dial\",\"params\":\"sip:agent1@${SIP_URI#sip:}\",\"token\":\"d1\"}"
printf '%d:%s,' "${#DIAL}" "$DIAL" >&3
echo "baresip (Maria, sip:maria@127.0.0.1) dials the agent"
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' sessions | grep -q ringing"
ctl sessions
ctl session show 1
ctl answer 1
sleep 1
ctl hold 1
ctl session show 1 | grep -i state
ctl retrieve 1

step "Escalation to two-way video: re-INVITE with m=video; a window opens on the agent's display"
ctl video on 1
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' session show 1 | grep -q 'Window: *open'"
sleep 1.5
ctl session show 1 | grep -E 'Video|Window|Layout|AlwaysOnTop'
ctl stats 1 | grep -E 'video|camera'
shot sportello-demo-window.png
echo "(the contact's picture, baresip's red/green/blue bars, large; the agent's camera in the corner)"
ctl layout swap 1
sleep 0.5
shot sportello-demo-window-swapped.png
ctl layout swap 1
ctl on-top 1 true
sleep 0.3
ctl session show 1 | grep AlwaysOnTop

step "Video push: a product clip replaces the camera inside the running call (no re-INVITE)"
ctl push start 1 "$PUSH_ID"
sleep 1
ctl session show 1 | grep -E '^ *Push'
shot sportello-demo-window-push.png
ctl push stop 1
ctl session show 1 | grep -E '^ *Push'

step "Deactivate and reactivate video: voice goes on in between"
ctl video off 1
ctl session show 1 | grep -E '^ *Video'
sleep 0.5
ctl video on 1
ctl session show 1 | grep -E '^ *Video'
ctl note 1 "Lathe L-200 makes a grinding noise at high speed"
ctl case-data 1 Product=L-200 Priority=high
ctl dispositions set 1 resolved
sleep 1
ctl stats 1
ctl disconnect 1
echo "(the call ended: after-call work until Mark Done, and no routed call meanwhile)"
ctl readiness
ctl mark-done 1
ctl readiness
ctl contacts history crm-1001

step "Blind transfer: Maria calls again and the agent hands her to Bob (a second sportellod)"
history_count() {
  "$SRC/build/crm-adapters/sportelloctl/sportelloctl" --json contacts history crm-1001 |
    /usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'
}
MARIA_BEFORE=$(history_count)
BOB=org.sportello.Demo.Bob
sed -e "s|^uri = sip:agent1@127.0.0.1\$|uri = sip:bob@127.0.0.1|" -e "s|^display-name = .*|display-name = Bob Rossi|" \
    -e "s|^listen = .*|listen = 127.0.0.1:$BOB_SIP|" -e "s|^camera = .*|camera = none|" \
    "$SRC/data/demo/sportello.conf" >"$T/bob.conf"
printf '\n[shared-store]\nuri = %s\n' "$SHARED_STORE" >>"$T/bob.conf"
"$SRC/build/service/sportellod" --config "$T/bob.conf" --data-dir "$T/bob-data" --bus-name $BOB \
    >"$T/bob.log" 2>&1 &
BOB_PID=$!
PIDS+=($BOB_PID)
gdbus wait --session --timeout 10 $BOB
ctlb() { echo; echo "\$ SPORTELLO_BUS_NAME=$BOB sportelloctl $*"; SPORTELLO_BUS_NAME=$BOB "$SRC/build/crm-adapters/sportelloctl/sportelloctl" "$@"; }
echo "(Bob's sportellod started with an empty store; the team's shared store gives it Anna's contacts)"
ctlb store sync --wait
ctlb contacts lookup '+39 02 1234'
DIAL="{\"command\":\"dial\",\"params\":\"sip:agent1@${SIP_URI#sip:}\",\"token\":\"d2\"}"
printf '%d:%s,' "${#DIAL}" "$DIAL" >&3
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' sessions | grep -q ringing"
ctl answer 2
ctl note 2 "Asks why the last invoice is higher"
sleep 1
echo "(Transfer replies once Bob has answered; it runs in the background meanwhile)"
ctl transfer 2 bob --reason "billing question" & TRANSFER=$!
wait_for "SPORTELLO_BUS_NAME=$BOB '$SRC/build/crm-adapters/sportelloctl/sportelloctl' sessions | grep -q ringing"
ctl session show 2 | grep -A2 -E '^ *Participants'
ctlb sessions
ctlb answer 1
wait $TRANSFER
ctl session show 2 | grep -E '^ *(State|EndReason|Notepad)'
sleep 2
ctlb stats 1 | grep -E 'rtp|codec'
ctlb disconnect 1
ctlb dispositions set 1 resolved
ctlb mark-done 1
ctl dispositions set 2 escalated
ctl mark-done 2
echo "(Bob's call with Maria is in Anna's history of Maria too, through the shared store)"
ctlb store sync --wait >/dev/null
wait_for "[ \$(history_count) -ge \$((MARIA_BEFORE + 2)) ]"
ctl contacts history crm-1001
kill -TERM $BOB_PID
set +e; wait $BOB_PID; status=$?; set -e
echo "Bob's sportellod exit status: $status"
[ "$status" -eq 0 ]

step "Consultation transfer: the agent consults an expert (Carla, another softphone), then connects Maria to her"
CCTRL=$(free_port STREAM)
mkdir -p "$T/carla"
sed -e "s|^sip_listen .*|sip_listen 127.0.0.1:$CSIP|" -e "s|^ctrl_tcp_listen .*|ctrl_tcp_listen 127.0.0.1:$CCTRL|" \
    -e "s|^audio_source .*|audio_source ausine,1500|" "$T/baresip/config" >"$T/carla/config"
echo "<sip:carla@127.0.0.1:$CSIP>;regint=0;answermode=auto" >"$T/carla/accounts"
baresip -4 -f "$T/carla" </dev/null >"$T/carla.log" 2>&1 &
PIDS+=($!)
wait_for "(exec 4<>/dev/tcp/127.0.0.1/$CCTRL) 2>/dev/null"
DIAL="{\"command\":\"dial\",\"params\":\"sip:agent1@${SIP_URI#sip:}\",\"token\":\"d3\"}"
printf '%d:%s,' "${#DIAL}" "$DIAL" >&3
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' sessions | grep -q ringing"
ctl answer 3
sleep 1
echo "(ConsultTransfer holds Maria and replies once Carla answered)"
ctl consult 3 "sip:carla@127.0.0.1:$CSIP" --reason "needs the lathe expert"
ctl session show 3 | grep -E -A3 '^ *(State|Participants)'
echo "(the agent goes back to Maria first, then consults Carla again and connects them)"
ctl consult end 3
ctl session show 3 | grep -E '^ *State'
ctl consult 3 "sip:carla@127.0.0.1:$CSIP" --reason "needs the lathe expert"
sleep 1
ctl transfer complete 3
ctl session show 3 | grep -E '^ *(State|EndReason|Notepad)'
echo "(Maria's phone now calls Carla directly, replacing the agent's consultation call)"
sleep 1
HANGUP='{"command":"hangup","params":"","token":"h3"}'
printf '%d:%s,' "${#HANGUP}" "$HANGUP" >&3
ctl dispositions set 3 escalated
ctl mark-done 3

step "Conference: Maria calls again, the agent brings Carla in, and the three talk"
DIAL="{\"command\":\"dial\",\"params\":\"sip:agent1@${SIP_URI#sip:}\",\"token\":\"d4\"}"
printf '%d:%s,' "${#DIAL}" "$DIAL" >&3
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' sessions | grep -q ringing"
ctl answer 4
sleep 1
echo "(Conference holds Maria and calls Carla from the directory; Carla's phone answers by itself)"
ctl conference 4 carla
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' session show 4 | grep -q 'carla.* talking'"
ctl session show 4 | grep -E -A2 '^ *(State|Participants)'
echo "(CompleteConference: Maria is retrieved; each party hears the other two, never itself)"
ctl conference complete 4
ctl session show 4 | grep -E -A2 '^ *(State|Participants)'
sleep 2
ctl stats 4 | grep -E 'rtp'
echo "(the agent drops Carla; Maria stays)"
ctl conference drop 4 conference-1
ctl session show 4 | grep -E -A2 '^ *(State|Participants)'
ctl disconnect 4
ctl dispositions set 4 escalated
ctl mark-done 4

step "A web CRM through the web bridge: REST and events over loopback, for allowed origins only"
WB_PORT=$(free_port STREAM)
CRM_ORIGIN=http://127.0.0.1:8089
printf '\n[web-bridge]\nport = %s\nallowed-origins = %s\n' "$WB_PORT" "$CRM_ORIGIN" >>"$T/sportello.conf"
printf '\n[shared-store]\nuri = %s\n' "$SHARED_STORE" >>"$T/sportello.conf"
"$SRC/build/service/sportellod" --check-config --config "$T/sportello.conf"
TOKEN=$("$SRC/build/crm-adapters/sportelloctl/sportelloctl" web-bridge token)
echo "\$ sportelloctl web-bridge token   # made once, kept in the Secret Service"
"$SRC/build/crm-adapters/web-bridge/sportello-web-bridge" --config "$T/sportello.conf" >"$T/web-bridge.log" 2>&1 &
PIDS+=($!)
wait_for "(exec 5<>/dev/tcp/127.0.0.1/$WB_PORT) 2>/dev/null"
api() { # api METHOD PATH [JSON]: what the CRM page's fetch() sends
  echo "\$ curl -X $1 http://127.0.0.1:$WB_PORT/api/v1/$2 ${3:-}"
  curl -sS -X "$1" -H "Origin: $CRM_ORIGIN" -H "Authorization: Bearer $TOKEN" \
       -H 'Content-Type: application/json' ${3:+--data "$3"} -w ' -> HTTP %{http_code}\n' "http://127.0.0.1:$WB_PORT/api/v1/$2"
}
api GET state
DIAL="{\"command\":\"dial\",\"params\":\"sip:agent1@${SIP_URI#sip:}\",\"token\":\"d5\"}"
printf '%d:%s,' "${#DIAL}" "$DIAL" >&3
wait_for "'$SRC/build/crm-adapters/sportelloctl/sportelloctl' sessions | grep -q ringing"
api GET sessions
api POST sessions/5/answer
api POST sessions/5/hold
api POST sessions/5/answer
api POST sessions/5/retrieve
api POST sessions/5/append-note '{"text": "Called from the web CRM"}'
api POST contacts/lookup '{"address": "sip:maria@127.0.0.1"}'

step "Co-browse: Maria and the agent on the company's site together (the relay between two browsers)"
mkdir -p "$T/site"
for page in "$SRC"/tests/data/co-browse-site/*; do
  sed "s|@RELAY@|http://127.0.0.1:$CB_PORT|" "$page" >"$T/site/$(basename "$page")"
done
/usr/bin/python3 -m http.server "$SITE_PORT" --bind 127.0.0.1 --directory "$T/site" >"$T/site.log" 2>&1 & PIDS+=($!)
"$SRC/build/crm-adapters/co-browse/sportello-cobrowse" --config "$T/sportello.conf" >"$T/cobrowse.log" 2>&1 & PIDS+=($!)
wait_for "(exec 5<>/dev/tcp/127.0.0.1/$CB_PORT) 2>/dev/null && (exec 5<>/dev/tcp/127.0.0.1/$SITE_PORT) 2>/dev/null"
ctl cobrowse start 5
echo "(a second start replaces the first; --json for a CRM)"
echo "\$ sportelloctl --json cobrowse start 5"
STARTED=$("$SRC/build/crm-adapters/sportelloctl/sportelloctl" --json cobrowse start 5)
echo "$STARTED"
CODE=$(echo "$STARTED" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])')
echo "(Maria's browser joins with the code $CODE: the join page posts it and goes on to the site with a ticket)"
echo "\$ curl -X POST http://127.0.0.1:$CB_PORT/join {\"code\": \"$CODE\", …}"
curl -sS -X POST -H "Origin: http://127.0.0.1:$CB_PORT" -H 'Content-Type: application/json' \
     --data "{\"code\": \"$CODE\", \"browser\": \"demo-browser-key-0123456789\"}" -w ' -> HTTP %{http_code}\n' "http://127.0.0.1:$CB_PORT/join"
echo "(a third browser with the same code, and a wrong code)"
curl -sS -X POST -H "Origin: http://127.0.0.1:$CB_PORT" -H 'Content-Type: application/json' \
     --data "{\"code\": \"$CODE\", \"browser\": \"another-browser-key-9876543210\"}" -w ' -> HTTP %{http_code}\n' "http://127.0.0.1:$CB_PORT/join"
curl -sS -X POST -H "Origin: http://127.0.0.1:$CB_PORT" -H 'Content-Type: application/json' \
     --data '{"code": "000000", "browser": "demo-browser-key-0123456789"}' -w ' -> HTTP %{http_code}\n' "http://127.0.0.1:$CB_PORT/join"
ctl session show 5 | grep -E '^ *CoBrowse'
echo "(in the browsers, the site's pages carry <script src=\"http://127.0.0.1:$CB_PORT/cobrowse.js\">; tests/integration/test_cobrowse_browser.py drives two of them)"

step "Video through Maria's phone browser: a one-time link; headless Chromium with its fake camera opens it (WebRTC)"
echo "\$ sportelloctl --json video browser 5"
INVITED=$("$SRC/build/crm-adapters/sportelloctl/sportelloctl" --json video browser 5)
echo "$INVITED"
VIDEO_URL=$(echo "$INVITED" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
ctl session show 5 | grep -E '^ *(Video|VideoPath|BrowserVideo)\b'
chromium --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/chromium" \
  --use-fake-device-for-media-stream --use-fake-ui-for-media-stream --allow-loopback-in-peer-connection \
  "$VIDEO_URL" >"$T/chromium.log" 2>&1 & CHROMIUM=$!; PIDS+=($CHROMIUM)
for _ in $(seq 1 600); do
  "$SRC/build/crm-adapters/sportelloctl/sportelloctl" session show 5 | grep -Eq '^ *BrowserVideo\b.*active' && break
  sleep 0.05
done
for _ in $(seq 1 200); do
  "$SRC/build/crm-adapters/sportelloctl/sportelloctl" stats 5 | grep -Eq 'video-frames-decoded: +[1-9][0-9]' && break
  sleep 0.05
done
echo "(the customer's camera in the agent's window, the agent's camera in the customer's page; the voice stays on the SIP call)"
ctl session show 5 | grep -E '^ *(Video|VideoPath|BrowserVideo)\b'
ctl stats 5 | grep -E 'video-codec|video-frames-decoded'
ctl video off 5
ctl session show 5 | grep -E '^ *(Video|BrowserVideo|BrowserVideoEndedBy)\b'
kill $CHROMIUM; wait $CHROMIUM 2>/dev/null || true
api POST sessions/5/stop-co-browse
api POST sessions/5/disconnect
api POST sessions/5/set-dispositions '{"codes": ["resolved"]}'
api POST sessions/5/mark-done
echo "(refused: a page of another origin, a rebinding host name, a wrong token)"
curl -sS -H "Origin: http://evil.example" -H "Authorization: Bearer $TOKEN" -w ' -> HTTP %{http_code}\n' "http://127.0.0.1:$WB_PORT/api/v1/state"
curl -sS -H "Host: rebind.example:$WB_PORT" -H "Authorization: Bearer $TOKEN" -w ' -> HTTP %{http_code}\n' "http://127.0.0.1:$WB_PORT/api/v1/state"
curl -sS -H "Authorization: Bearer wrong" -w ' -> HTTP %{http_code}\n' "http://127.0.0.1:$WB_PORT/api/v1/state"
echo "(the softphone panel a CRM frames: http://127.0.0.1:$WB_PORT/panel/#token=…; docs/examples/web-crm is a page using it)"
exec 3>&-

step "What 'sportelloctl watch' saw meanwhile (signals and property changes)"
sleep 0.2
cat "$T/watch.log"

step "Stopping: sportellod exits with status 0"
kill -TERM $SPORTELLOD
set +e; wait $SPORTELLOD; status=$?; set -e
echo "sportellod exit status: $status"
[ "$status" -eq 0 ]
echo
echo "Demo finished."
