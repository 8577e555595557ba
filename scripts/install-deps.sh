#!/usr/bin/env bash
# Installs the Debian 12 packages Sportello builds and tests with; a no-op when all are present.
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc libc6-dev git clang-format
  libglib2.0-dev libsofia-sip-ua-glib-dev libsofia-sip-ua-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libopus-dev libgstreamer-plugins-bad1.0-dev libpipewire-0.3-dev libx11-dev
  libssl-dev libsecret-1-dev libsqlite3-dev libsoup-3.0-dev libjson-glib-dev
  libglib2.0-bin dbus-daemon systemd gstreamer1.0-tools gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  gstreamer1.0-plugins-base-apps gstreamer1.0-x gstreamer1.0-gl gstreamer1.0-pipewire gstreamer1.0-nice libnice-dev
  pipewire pipewire-bin wireplumber gnome-keyring libsecret-tools sqlite3
  sip-tester baresip-core linphone-cli kamailio kamailio-tls-modules openssl xvfb x11-utils x11-apps xdotool imagemagick jwm wmctrl weston
  python3-pytest python3-gi python3-dbusmock valgrind
  chromium chromium-driver python3-selenium gnome-shell gjs curl
  postgresql-15 postgresql-client-15 libpq-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing ${#missing[@]} packages: ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
