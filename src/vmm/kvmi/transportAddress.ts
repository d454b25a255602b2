// Where the KVMI socket lives, shared by the VMM (which connects, like QEMU's introspection chardev)
// and the introspection tool (which listens, like libkvmi's accept loop; KVMI reference §1.1):
// "unix:PATH" or "tcp:HOST:PORT". A TCP address without a host ("tcp:PORT", "tcp::PORT") means the
// loopback interface; any other host must be written out by the user. Port 0 means "any free port"
// and only makes sense for the listening side.

export type KvmiAddress =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number; hostGiven: boolean };

/** A malformed "unix:PATH" / "tcp:HOST:PORT" string. */
export class KvmiAddressError extends Error {
  override readonly name = 'KvmiAddressError';
}

/** unix(7): sun_path holds 108 bytes including the terminating NUL. */
export const MAX_UNIX_PATH_BYTES = 107;
export const DEFAULT_TCP_HOST = '127.0.0.1';
const EXAMPLE = '"unix:/tmp/kvmi.sock" or "tcp:127.0.0.1:4444"';

/** Parses an address; throws KvmiAddressError saying what is wrong. */
export function parseKvmiAddress(text: string): KvmiAddress {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (path === '') throw new KvmiAddressError(`"${text}" has an empty socket path; use ${EXAMPLE}`);
    if (path.includes('\0')) throw new KvmiAddressError(`"${text}": a socket path cannot contain a NUL byte`);
    const bytes = Buffer.byteLength(path);
    if (bytes > MAX_UNIX_PATH_BYTES) throw new KvmiAddressError(`socket path "${path}" is ${bytes} bytes; Unix sockets allow at most ${MAX_UNIX_PATH_BYTES}`);
    return { kind: 'unix', path };
  }
  if (text.startsWith('tcp:')) return parseTcp(text);
  throw new KvmiAddressError(`"${text}" must start with "unix:" or "tcp:", e.g. ${EXAMPLE}`);
}

function parseTcp(text: string): KvmiAddress {
  const match = /^tcp:(?:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]*):)?([0-9]{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    throw new KvmiAddressError(`"${text}" must be "tcp:HOST:PORT" (or "tcp:PORT" for loopback) with a port from 0 to 65535; IPv6 hosts go in brackets`);
  }
  const rawHost = match[1] ?? '';
  if (rawHost === '') return { kind: 'tcp', host: DEFAULT_TCP_HOST, port, hostGiven: false };
  return { kind: 'tcp', host: rawHost.replace(/^\[|\]$/g, ''), port, hostGiven: true };
}

/** True for 127.0.0.0/8, ::1 and "localhost". */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || /^::ffff:127\./i.test(host);
}

/** The address in the same notation it was written in. */
export function formatKvmiAddress(address: KvmiAddress): string {
  if (address.kind === 'unix') return `unix:${address.path}`;
  return `tcp:${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
