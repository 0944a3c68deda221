# Sourced by the Chromium guests: run_chromium RP_PID URL starts headless Chromium on URL and
# waits until the relying party (RP_PID) exits, once both ceremonies are verified or one failed.
# Under TCG, headless Chromium now and then loses its network service while starting and never
# loads the page (the key then sees no request at all): such a start is retried, said in
# /vmwork/chromium.log; a key that answers wrongly still fails, since the RP exits on a failed
# verification. /vmwork/serve.log is the key's -v log (several keys: lines "key N: -> ...").
run_chromium() {
  rp=$1 url=$2
  for attempt in 1 2 3; do
    echo "chromium start $attempt" >> /vmwork/chromium.log
    chromium --headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
      --disable-component-update --disable-sync --user-data-dir=/tmp/chromium-profile-$attempt "$url" >> /vmwork/chromium.log 2>&1 &
    chrome=$!
    for i in $(seq 1 ${VM_WAIT_S:-250}); do kill -0 "$rp" 2>/dev/null || break; sleep 1; done
    kill $chrome 2>/dev/null
    kill -0 "$rp" 2>/dev/null || return 0
    # Another try only if the page never reached the key.
    grep -qE '^[0-9TZ:.-]+ (key [0-9]+: )?(->|<-)' /vmwork/serve.log && return 0
    echo "chromium start $attempt never reached the key: starting it again"
    sleep 2
  done
}
