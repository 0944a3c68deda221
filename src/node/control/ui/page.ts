// The key's window: its HTML and style, served from the package as they are (no build step, no
// framework). Everything the key says is put in by app.ts as text, never as markup.

export const PAGE_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>ctap-emu: the key's window</title>
<link rel="stylesheet" href="/ui/app.css">
<script src="/ui/app.js" defer></script>
</head>
<body>
<header>
  <h1>ctap-emu</h1>
  <label id="key-picker" hidden>Key <select id="key-select"></select></label>
  <span id="connection" class="connection" data-state="off">not connected</span>
  <button id="logout" class="quiet" type="button" hidden>Forget the token</button>
</header>
<form id="login" hidden>
  <h2>Connect to the key</h2>
  <p>Paste the control token: the one <code>ctap-emu serve</code> printed, or the text of
  <code>--control-token-file</code>. It stays in this tab only and goes to the key in a request
  header, never in a URL.</p>
  <input id="token" type="password" autocomplete="off" spellcheck="false" aria-label="control token" required>
  <button type="submit">Connect</button>
  <p id="login-error" class="error" role="alert"></p>
</form>
<main id="main" hidden>
  <section id="device" class="panel">
    <h2>The key</h2>
    <div class="key-body" aria-hidden="true"><div id="led" class="led"></div><div class="key-contact"></div></div>
    <p id="request-title" class="request-title" aria-live="polite">Nothing to touch</p>
    <dl id="request-details" class="details"></dl>
    <div class="actions">
      <button id="action-approve" type="button" data-action="approve" disabled>Touch</button>
      <button id="action-deny" type="button" data-action="deny" disabled>Deny</button>
      <button id="action-verify" type="button" data-action="verify" disabled>Verify finger</button>
      <button id="action-fail-verification" type="button" data-action="fail-verification" disabled>Wrong finger</button>
      <button id="action-timeout" type="button" data-action="timeout" class="quiet" disabled>Walk away</button>
    </div>
    <p id="key-info" class="muted"></p>
    <p id="notice" class="muted" role="status"></p>
  </section>
  <section id="passkeys" class="panel">
    <h2>Passkeys <span id="passkey-count" class="muted"></span></h2>
    <table>
      <thead><tr><th>RP</th><th>User</th><th>Display name</th><th>Signs</th><th>Kind</th><th></th></tr></thead>
      <tbody id="passkey-rows"></tbody>
    </table>
    <p id="passkeys-empty" class="muted">No passkeys on this key.</p>
    <div id="inspect" class="inspect" hidden>
      <div class="inspect-head"><strong id="inspect-title"></strong><button id="inspect-close" type="button" class="quiet">Close</button></div>
      <pre id="inspect-body"></pre>
    </div>
  </section>
  <section id="events" class="panel">
    <h2>Events</h2>
    <ol id="event-log" class="log" reversed></ol>
  </section>
  <section id="trace" class="panel">
    <h2>Trace</h2>
    <p id="trace-missing" class="muted" hidden></p>
    <ol id="trace-log" class="log" reversed></ol>
  </section>
</main>
</body>
</html>
`;

export const PAGE_CSS: string = `:root { color-scheme: light dark; --bg: #f6f6f4; --panel: #fff; --ink: #1d1f21; --muted: #6b6f75; --line: #dcdcd8;
  --led-off: #2f4a36; --led-on: #36e06b; --led-uv: #4aa8ff; --accent: #1f6feb; --danger: #c62828; }
@media (prefers-color-scheme: dark) { :root { --bg: #141517; --panel: #1d1f22; --ink: #e6e6e3; --muted: #9a9ea5; --line: #33363b; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; background: var(--bg); color: var(--ink); }
header { display: flex; align-items: center; gap: 1rem; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 1.1rem; margin: 0 auto 0 0; }
code, pre, .log { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.connection::before { content: ""; display: inline-block; width: .6rem; height: .6rem; border-radius: 50%; margin-right: .35rem; background: var(--muted); }
.connection[data-state="on"]::before { background: var(--led-on); }
.connection[data-state="error"]::before { background: var(--danger); }
#login { max-width: 34rem; margin: 3rem auto; padding: 1.5rem; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
#login input { width: 100%; padding: .5rem; margin-bottom: .6rem; font: inherit; }
main { display: grid; grid-template-columns: minmax(18rem, 1fr) minmax(24rem, 2fr); gap: 1rem; padding: 1rem; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; min-width: 0; }
.panel h2 { font-size: 1rem; margin: 0 0 .6rem; }
.key-body { position: relative; width: 7.5rem; height: 12rem; margin: .5rem auto 1rem; border-radius: 1.2rem 1.2rem 2rem 2rem;
  background: linear-gradient(#2b2d31, #17181a); box-shadow: 0 4px 14px rgba(0,0,0,.35); }
.key-contact { position: absolute; left: 2.4rem; right: 2.4rem; top: -2.2rem; height: 2.4rem; border-radius: .3rem .3rem 0 0; background: linear-gradient(90deg, #b9b9b9, #e8e8e8, #a9a9a9); }
.led { position: absolute; left: 50%; top: 55%; width: 3.4rem; height: 3.4rem; margin: -1.7rem 0 0 -1.7rem; border-radius: 50%;
  background: radial-gradient(circle at 40% 35%, #4d6b55, var(--led-off)); border: 3px solid #3a3c40; }
.led.waiting { background: radial-gradient(circle at 40% 35%, #e4fff0, var(--led-on)); box-shadow: 0 0 22px 6px var(--led-on); animation: blink .9s steps(1, end) infinite; }
.led.waiting[data-kind="verification"] { --led-on: var(--led-uv); }
@keyframes blink { 50% { background: radial-gradient(circle at 40% 35%, #4d6b55, var(--led-off)); box-shadow: none; } }
@media (prefers-reduced-motion: reduce) { .led.waiting { animation: none; } }
.request-title { font-weight: 600; font-size: 1.05rem; min-height: 1.5rem; overflow-wrap: anywhere; }
.details { display: grid; grid-template-columns: auto 1fr; gap: .15rem .8rem; margin: 0 0 .8rem; }
.details dt { color: var(--muted); }
.details dd { margin: 0; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: .4rem; }
button { font: inherit; padding: .35rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: var(--panel); color: var(--ink); cursor: pointer; }
button:disabled { opacity: .45; cursor: default; }
#action-approve:not(:disabled), #action-verify:not(:disabled), #login button { background: var(--accent); border-color: var(--accent); color: #fff; }
#action-deny:not(:disabled), #action-fail-verification:not(:disabled), button.confirm { border-color: var(--danger); color: var(--danger); }
button.quiet { border-color: transparent; color: var(--muted); }
.muted { color: var(--muted); }
.error { color: var(--danger); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
td.buttons { white-space: nowrap; text-align: right; }
.inspect { margin-top: .8rem; border: 1px solid var(--line); border-radius: 6px; }
.inspect-head { display: flex; justify-content: space-between; align-items: center; padding: .3rem .6rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.inspect pre { margin: 0; padding: .6rem; max-height: 16rem; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.log { list-style: none; margin: 0; padding: 0; max-height: 22rem; overflow: auto; font-size: 12px; }
.log li { padding: .15rem 0; border-bottom: 1px dotted var(--line); overflow-wrap: anywhere; }
.log .time { color: var(--muted); margin-right: .5rem; }
.log .name { font-weight: 600; margin-right: .5rem; }
.log .in { color: var(--accent); }
.log .count { color: var(--muted); margin-left: .4rem; }
@media (max-width: 50rem) { main { grid-template-columns: 1fr; } }
`;
