// The VMM's introspection command-line options and their validation: --introspect ADDR,
// --introspect-key SECRET|@FILE, --introspect-reconnect SECONDS, --kvmi-deny-command ID and
// --kvmi-deny-event ID (both repeatable). parseIntrospectionArgs() takes them out of an argument
// list (as "--opt VALUE" or "--opt=VALUE") and leaves every other argument to the caller.
import { readFileSync } from 'node:fs';
import { ALWAYS_ALLOWED_COMMANDS, resolveKvmiId } from './kvmiPermissions';
import { KvmiAddressError, isLoopbackHost, parseKvmiAddress, type KvmiAddress } from '../kvmi/transportAddress';

export interface IntrospectionOptions {
  address: KvmiAddress;
  /** The shared cookie secret; the tool must send its SHA-1 (KVMI reference §1.2). */
  key: Uint8Array | undefined;
  /** Seconds between connection attempts; undefined = connect once, no reconnect after a disconnect. */
  reconnectSeconds: number | undefined;
  deniedCommands: number[];
  deniedEvents: number[];
  /** QEMU's handshake_timeout (default 10 s). */
  handshakeTimeoutMs: number;
  /** QEMU's unhook_timeout (default 60 s): how long a pre-unhook waits for the tool to close. */
  unhookTimeoutMs: number;
}

/** A bad introspection option, naming the option. */
export class IntrospectionOptionError extends Error {
  override readonly name = 'IntrospectionOptionError';
  constructor(readonly option: string, message: string) {
    super(`${option}: ${message}`);
  }
}

export const INTROSPECTION_OPTION_NAMES = ['--introspect', '--introspect-key', '--introspect-reconnect', '--kvmi-deny-command', '--kvmi-deny-event'] as const;
type OptionName = (typeof INTROSPECTION_OPTION_NAMES)[number];

export const INTROSPECTION_OPTIONS_HELP = [
  '  --introspect ADDR            connect to a KVMI introspection tool listening on unix:PATH or tcp:HOST:PORT',
  '                               (tcp:PORT = loopback; other hosts only when written out)',
  '  --introspect-key SECRET|@FILE  shared cookie; the tool must send its SHA-1 in the handshake',
  '  --introspect-reconnect SECONDS  keep retrying every SECONDS until a tool connects, and after it leaves',
  '  --kvmi-deny-command ID       disallow a KVMI command (wire id or name, e.g. KVMI_VM_WRITE_PHYSICAL); repeatable',
  '  --kvmi-deny-event ID         disallow a KVMI event (wire id or name, e.g. KVMI_VCPU_EVENT_PF); repeatable',
].join('\n');

/** Splits `args` into the introspection options (undefined if --introspect is absent) and the rest. */
export function parseIntrospectionArgs(args: readonly string[]): { options: IntrospectionOptions | undefined; rest: string[] } {
  const values = new Map<OptionName, string[]>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = splitFlag(args[i]);
    if (!(INTROSPECTION_OPTION_NAMES as readonly string[]).includes(flag)) { rest.push(args[i]); continue; }
    const value = inline ?? args[++i];
    if (value === undefined) throw new IntrospectionOptionError(flag, 'needs a value');
    const list = values.get(flag as OptionName) ?? [];
    list.push(value);
    values.set(flag as OptionName, list);
  }
  return { options: buildOptions(values), rest };
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

function single(values: Map<OptionName, string[]>, name: OptionName): string | undefined {
  const list = values.get(name);
  if (list && list.length > 1) throw new IntrospectionOptionError(name, 'given more than once');
  return list?.[0];
}

function buildOptions(values: Map<OptionName, string[]>): IntrospectionOptions | undefined {
  const addressText = single(values, '--introspect');
  if (addressText === undefined) {
    const orphan = [...values.keys()][0];
    if (orphan) throw new IntrospectionOptionError(orphan, 'needs --introspect ADDR');
    return undefined;
  }
  return {
    address: parseAddress(addressText),
    key: parseKey(single(values, '--introspect-key')),
    reconnectSeconds: parseReconnect(single(values, '--introspect-reconnect')),
    deniedCommands: (values.get('--kvmi-deny-command') ?? []).map((t) => parseDenied(t, 'command')),
    deniedEvents: (values.get('--kvmi-deny-event') ?? []).map((t) => parseDenied(t, 'event')),
    handshakeTimeoutMs: 10_000,
    unhookTimeoutMs: 60_000,
  };
}

function parseAddress(text: string): KvmiAddress {
  try {
    const address = parseKvmiAddress(text);
    if (address.kind === 'tcp' && address.port === 0) throw new KvmiAddressError(`"${text}": the VMM connects to the tool, so it needs the tool's real port, not 0`);
    return address;
  } catch (e) {
    if (e instanceof KvmiAddressError) throw new IntrospectionOptionError('--introspect', e.message);
    throw e;
  }
}

/** "@FILE" reads the secret from FILE (one trailing newline dropped); anything else is the secret. */
function parseKey(text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  let secret: Uint8Array;
  if (text.startsWith('@')) {
    try {
      secret = readFileSync(text.slice(1));
    } catch (e) {
      throw new IntrospectionOptionError('--introspect-key', `cannot read the key file ${text.slice(1)}: ${(e as Error).message}`);
    }
    if (secret.length > 0 && secret[secret.length - 1] === 0x0a) secret = secret.subarray(0, secret.length - 1);
  } else {
    secret = new TextEncoder().encode(text);
  }
  if (secret.length === 0) throw new IntrospectionOptionError('--introspect-key', 'the secret is empty');
  return secret;
}

function parseReconnect(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new IntrospectionOptionError('--introspect-reconnect', `must be a number of seconds between 0 and 3600 (exclusive of 0), got "${text}"`);
  }
  return seconds;
}

function parseDenied(text: string, table: 'command' | 'event'): number {
  const option = table === 'command' ? '--kvmi-deny-command' : '--kvmi-deny-event';
  const id = resolveKvmiId(text, table);
  if (id === undefined) throw new IntrospectionOptionError(option, `"${text}" is not a KVMI ${table} id or name`);
  if (table === 'command' && ALWAYS_ALLOWED_COMMANDS.has(id)) {
    throw new IntrospectionOptionError(option, `"${text}" is always allowed (GET_VERSION, VM_CHECK_COMMAND and VM_CHECK_EVENT cannot be denied)`);
  }
  return id;
}

/** A TCP address whose host is not loopback must have been written out by the user. */
export function isRemoteAddress(address: KvmiAddress): boolean {
  return address.kind === 'tcp' && !isLoopbackHost(address.host);
}
