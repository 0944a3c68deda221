// Credential IDs are base64url, so one in 64 starts with '-' (and one in 4096 with '--'), which a
// command line would take for an option: `creds delete -ZPP65kq…` failed with "unknown option", and
// so did a unique prefix of such an ID (`creds delete -2ksI9OA`).
// Such an argument is moved behind a '--', where it can only be the positional ID it is.

/** The command line's options: which flags exist, and which of them take the next token as their value. */
export interface OptionTable {
  readonly flags: ReadonlySet<string>;
  readonly takeValue: ReadonlySet<string>;
}

/** The shape of what commander's Option exposes (long, short, and whether a value is required). */
interface OptionLike { long?: string; short?: string; required?: boolean }
interface CommandLike { options: readonly OptionLike[]; commands: readonly CommandLike[] }

/** Every option of `program` and its subcommands, with --help, -h and -V that commander adds. */
export function optionTable(program: CommandLike): OptionTable {
  const flags = new Set(['-h', '--help', '-V', '--version']);
  const takeValue = new Set<string>();
  const visit = (c: CommandLike): void => {
    for (const o of c.options) {
      for (const flag of [o.long, o.short]) {
        if (flag === undefined) continue;
        flags.add(flag);
        // Only a required value takes a dash-led token: commander leaves an optional one ([value]) empty.
        if (o.required === true) takeValue.add(flag);
      }
    }
    c.commands.forEach(visit);
  };
  visit(program);
  return { flags, takeValue };
}

/** A token that is one of our options, or a run of short ones (-vy), or --flag=value. */
function isOption(token: string, table: OptionTable): boolean {
  if (table.flags.has(token.split('=')[0]!)) return true;
  return /^-[A-Za-z]{2,}$/.test(token) && [...token.slice(1)].every((c) => table.flags.has(`-${c}`));
}

/**
 * A dash-led token that is not an option and could be a credential ID or a prefix of one: base64url,
 * and either too long for a typo of an option or holding what no option name has (a capital, a
 * digit, an underscore). `--josn` stays an unknown option; `-2ksI9OA` is an ID's prefix.
 */
function looksLikeId(token: string, table: OptionTable): boolean {
  if (!/^-[A-Za-z0-9_-]+$/.test(token) || token === '--' || isOption(token, table)) return false;
  const body = token.replace(/^--?/, '');
  return token.length >= 16 || /[A-Z0-9_]/.test(body);
}

/** argv with dash-led credential IDs moved after a '--' (unless one is there already, or the token is an option's value). */
export function protectDashLedIds(argv: readonly string[], table: OptionTable): string[] {
  const end = argv.indexOf('--');
  const head = end < 0 ? [...argv] : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end + 1);
  const kept: string[] = [];
  const moved: string[] = [];
  head.forEach((token, i) => {
    // After an option that takes a value (--pin -x…), the token is that value: leave it.
    const isValue = i > 0 && table.takeValue.has(head[i - 1]!);
    if (i >= 2 && !isValue && looksLikeId(token, table)) moved.push(token);
    else kept.push(token);
  });
  if (moved.length === 0 && end < 0) return kept;
  return [...kept, '--', ...moved, ...tail];
}
