// A small pflag/cobra look-alike: `--flag value`, `--flag=value`, `-f value`, `-fvalue`, `-f=value`,
// bool flags without a value, `--bool=false`, repeatable string arrays, `--` ends the flags.

export type FlagKind = 'bool' | 'string' | 'int' | 'stringArray' | 'duration';

export interface FlagDef {
  long: string;
  short?: string;
  kind: FlagKind;
  default?: string | number | boolean | string[];
  usage: string;
}

export type FlagValue = string | number | boolean | string[];

export interface Parsed {
  args: string[];
  values: Map<string, FlagValue>;
  changed: Set<string>;
  help: boolean;
}

export class UsageError extends Error {}

export const globalFlags: FlagDef[] = [
  { long: 'help', short: 'h', kind: 'bool', default: false, usage: 'help for this command' },
  { long: 'timestamps', kind: 'bool', default: false, usage: 'Enable Log timestamps' },
  { long: 'trace', kind: 'bool', default: false, usage: 'Enable super verbose output (trace logging)' },
  { long: 'verbose', kind: 'bool', default: false, usage: 'Enable verbose output (debug logging)' },
];

/** Go's time.ParseDuration, returning seconds. */
export function parseDuration(raw: string): number {
  if (raw === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let s = raw;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '') throw new Error(`time: invalid duration "${raw}"`);
  let total = 0;
  re.lastIndex = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * unit[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== s.length) {
    if (/^\d+(\.\d*)?$/.test(s)) throw new Error(`time: missing unit in duration "${raw}"`);
    throw new Error(`time: invalid duration "${raw}"`);
  }
  return sign * total;
}

function flagName(def: FlagDef): string {
  return def.short ? `-${def.short}, --${def.long}` : `--${def.long}`;
}

function convert(def: FlagDef, raw: string): FlagValue {
  switch (def.kind) {
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw)) {
        throw new UsageError(`invalid argument "${raw}" for "${flagName(def)}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
      }
      return Number(raw);
    }
    case 'bool': {
      const b = { '1': true, t: true, T: true, true: true, TRUE: true, True: true, '0': false, f: false, F: false, false: false, FALSE: false, False: false }[raw];
      if (b === undefined) throw new UsageError(`invalid argument "${raw}" for "${flagName(def)}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`);
      return b;
    }
    case 'duration':
      try {
        parseDuration(raw);
      } catch (err) {
        throw new UsageError(`invalid argument "${raw}" for "${flagName(def)}" flag: ${(err as Error).message}`);
      }
      return raw;
    default:
      return raw;
  }
}

export function parseFlags(argv: string[], local: FlagDef[]): Parsed {
  const defs = [...local, ...globalFlags];
  const values = new Map<string, FlagValue>();
  const changed = new Set<string>();
  for (const d of defs) if (d.default !== undefined) values.set(d.long, Array.isArray(d.default) ? [...d.default] : d.default);
  const args: string[] = [];
  const set = (def: FlagDef, raw: string) => {
    const v = convert(def, raw);
    if (def.kind === 'stringArray') {
      const prev = changed.has(def.long) ? (values.get(def.long) as string[]) : [];
      values.set(def.long, [...prev, raw]);
    } else {
      values.set(def.long, v);
    }
    changed.add(def.long);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const def = defs.find((d) => d.long === name);
      if (!def) throw new UsageError(`unknown flag: --${name}`);
      if (eq >= 0) set(def, a.slice(eq + 1));
      else if (def.kind === 'bool') set(def, 'true');
      else {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${name}`);
        set(def, argv[++i]);
      }
    } else if (a.startsWith('-') && a.length > 1) {
      const name = a[1];
      const def = defs.find((d) => d.short === name);
      if (!def) throw new UsageError(`unknown shorthand flag: '${name}' in ${a}`);
      const rest = a.slice(2);
      if (def.kind === 'bool') {
        if (rest.startsWith('=')) set(def, rest.slice(1));
        else if (rest === '') set(def, 'true');
        else throw new UsageError(`unknown shorthand flag: '${rest[0]}' in ${a}`);
      } else if (rest !== '') {
        set(def, rest.startsWith('=') ? rest.slice(1) : rest);
      } else {
        if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: '${name}' in -${name}`);
        set(def, argv[++i]);
      }
    } else {
      args.push(a);
    }
  }
  return { args, values, changed, help: values.get('help') === true };
}

export function flagUsage(defs: FlagDef[]): string {
  const all = [...defs, ...globalFlags.filter((g) => g.long === 'help')];
  const lines = all.map((d) => {
    const name = d.short ? `-${d.short}, --${d.long}` : `    --${d.long}`;
    const type = d.kind === 'bool' ? '' : d.kind === 'stringArray' ? ' stringArray' : ` ${d.kind}`;
    return { left: `  ${name}${type}`, usage: d.usage + (d.default !== undefined && d.default !== '' && d.default !== false && !(Array.isArray(d.default) && d.default.length === 0) && d.kind !== 'stringArray' ? ` (default ${typeof d.default === 'string' ? `"${d.default}"` : String(d.default)})` : '') };
  });
  const width = Math.max(...lines.map((l) => l.left.length)) + 3;
  return lines.map((l) => l.left.padEnd(width) + l.usage).join('\n');
}

export function globalUsage(): string {
  return globalFlags.filter((g) => g.long !== 'help').map((d) => `      --${d.long}`.padEnd(19) + d.usage).join('\n');
}
