#!/bin/sh
# Boots the test VM and runs one guest script in it, then shows what happened.
# Usage: test/vm/run-guest.sh GUEST_SCRIPT MARKER [TIMEOUT_S] [MEM_MB]   (after npm run build)
# Succeeds when the guest's log contains MARKER. Extra logs the guest leaves in /vmwork
# (serve.log, rp.log, chromium.log, Firefox's firefox-webauthn.log*) are printed on failure;
# VM_KEEP=DIR keeps them all in DIR/GUEST.
set -eu
GUEST=$1 MARKER=$2 T=${3:-600} MEM=${4:-3072}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$HERE/make-initrd.sh" "$WORK/initrd.gz"
SHARE="$WORK/share"; mkdir -p "$SHARE"
cp "$HERE/$GUEST" "$SHARE/"
echo "$REPO" > "$SHARE/repo"
RC=0
"$HERE/run-vm.sh" "$WORK/initrd.gz" "$SHARE" "$GUEST" "$T" "$MEM" || RC=$?
# VM_KEEP=DIR: keep what the guest left in /vmwork (logs, traces) in DIR/GUEST (no .sh), to read afterwards.
if [ -n "${VM_KEEP:-}" ]; then mkdir -p "$VM_KEEP/${GUEST%.sh}" && cp -r "$SHARE"/. "$VM_KEEP/${GUEST%.sh}"/; fi
cat "$SHARE/guest.log" 2>/dev/null || { echo "(no guest log; console:)"; tail -20 "$SHARE/console.log"; }
if [ -f "$SHARE/serve.log" ]; then
  echo "--- key log (requests decoded, secrets redacted):"
  grep -E '^[0-9TZ:.-]+ (key [0-9]+: )?(->|<-)' "$SHARE/serve.log" | cut -c1-200 | tail -30 || true
fi
if [ "$RC" = 0 ] && grep -q "$MARKER" "$SHARE/guest.log"; then exit 0; fi
for f in "$SHARE"/serve.log "$SHARE"/rp.log "$SHARE"/chromium.log "$SHARE"/firefox-webauthn.log*; do
  [ -f "$f" ] && { echo "--- $(basename "$f"):"; tail -30 "$f"; }
done
exit 1
