#!/bin/sh
# What the suite needs from the system, installed when it can be: Chromium, for the browser test
# and the PDF tests (they are skipped without it). Everything else comes with the venv
# (make .venv/.installed), the charts' Chinese font included.
#
# As root on Debian/Ubuntu it runs apt-get, waiting (up to SYSDEPS_WAIT seconds, default 900)
# while another apt or dpkg holds the package lock, and saying so; otherwise it prints what to
# install. Exit status: 0 when Chromium is there afterwards, 1 when it could not be installed.
set -u
WAIT="${SYSDEPS_WAIT:-900}"

have_chromium() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }

if have_chromium; then
  exit 0
fi
echo "make sysdeps: the browser test and the PDF tests need Chromium (the Debian package 'chromium')."
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "make sysdeps: not root on Debian/Ubuntu: install Chromium yourself (those tests are skipped without it)."
  exit 0
fi

# apt-get fails at once (exit 100, "Could not get lock") while another apt or dpkg runs: wait for it.
apt_wait() {
  start=$(date +%s)
  said=""
  while :; do
    out=$(DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 "$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
      return 0
    fi
    case "$out" in
      *"Could not get lock"*|*"Unable to lock"*|*"is another process using it"*) ;;
      *) printf '%s\n' "$out" | tail -5 >&2; return $rc ;;
    esac
    now=$(date +%s)
    if [ $((now - start)) -ge "$WAIT" ]; then
      echo "make sysdeps: another apt/dpkg still holds the package lock after ${WAIT} s; run make sysdeps again later." >&2
      return $rc
    fi
    if [ -z "$said" ]; then
      holder=$(printf '%s\n' "$out" | sed -n 's/.*held by process \([0-9]*\).*/\1/p' | head -1)
      echo "make sysdeps: waiting for another apt/dpkg${holder:+ (process $holder)} to release the package lock (up to ${WAIT} s)..."
      said=1
    fi
    sleep 5
  done
}

echo "make sysdeps: installing chromium with apt-get"
apt_wait update -qq && apt_wait install -y -qq chromium >/dev/null || {
  echo "make sysdeps: chromium could not be installed; the browser and PDF tests will be skipped." >&2
  exit 1
}
have_chromium
