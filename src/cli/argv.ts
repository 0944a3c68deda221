// Credential IDs are base64url, so one in 64 starts with '-' (and one in 4096 with '--'), which a
// command line would take for an option: `creds delete -ZPP65kq…` failed with "unknown option".
// Such an argument is moved behind a '--', where it can only be the positional ID it is.

/** A token that cannot be one of our options: a dash-led run of base64url at least 16 long. */
function looksLikeId(token: string): boolean {
  const body = token.startsWith('--') ? token.slice(2) : token.slice(1);
  if (!/^-?[A-Za-z0-9_-]{15,}$/.test(token.slice(1)) || body.length < 15) return false;
  // Long options are lowercase words and dashes (--sign-count); an ID of only those is not told apart.
  return !(token.startsWith('--') && /^[a-z][a-z-]*$/.test(body));
}

/** argv with dash-led credential IDs moved after a '--' (unless one is there already, or a value follows an option). */
export function protectDashLedIds(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  const head = end < 0 ? [...argv] : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end + 1);
  const kept: string[] = [];
  const moved: string[] = [];
  head.forEach((token, i) => {
    const previous = head[i - 1];
    // After an option (--pin -x…), the token may be that option's value: leave it.
    const afterOption = previous !== undefined && previous.startsWith('-') && !previous.includes('=');
    if (i >= 2 && !afterOption && looksLikeId(token)) moved.push(token);
    else kept.push(token);
  });
  if (moved.length === 0 && end < 0) return kept;
  return [...kept, '--', ...moved, ...tail];
}
