// Parses the "listen" attribute of an attach configuration: "unix:PATH" (an AF_UNIX socket path, at
// most 107 bytes, unix(7) sun_path) or "tcp:HOST:PORT" (an IPv6 HOST in brackets, "tcp:[::1]:4444").
import { InvalidConfigurationError } from './configurationErrors';
import type { ListenAddress } from './configurationTypes';
import { describe } from './watchpoints';

const maxUnixPathBytes = 107;
const example = '"unix:/tmp/kvmi.sock" or "tcp:127.0.0.1:4444"';

export function parseListenAddress(value: unknown): ListenAddress {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidConfigurationError('listen', `is required for attach: where kvmi-vmm --introspect connects, e.g. ${example}; got ${describe(value)}`);
  }
  if (value.startsWith('unix:')) {
    const path = value.slice('unix:'.length);
    if (path === '') throw new InvalidConfigurationError('listen', `has an empty socket path; use ${example}`);
    if (Buffer.byteLength(path) > maxUnixPathBytes) {
      throw new InvalidConfigurationError('listen', `socket path is ${Buffer.byteLength(path)} bytes; Unix sockets allow at most ${maxUnixPathBytes}: choose a shorter path`);
    }
    return { kind: 'unix', path };
  }
  if (value.startsWith('tcp:')) {
    const match = /^tcp:(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):([0-9]+)$/.exec(value);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new InvalidConfigurationError('listen', `must be "tcp:HOST:PORT" with a port from 1 to 65535 (IPv6 hosts in brackets), not ${describe(value)}`);
    }
    return { kind: 'tcp', host: match[1].replace(/^\[|\]$/g, ''), port };
  }
  throw new InvalidConfigurationError('listen', `must start with "unix:" or "tcp:", e.g. ${example}; got ${describe(value)}`);
}
