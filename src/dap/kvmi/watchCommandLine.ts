// The kvmi-watch command line: kvmi-watch [--listen ADDR] [--key SECRET|@FILE] --watch SPEC...
// [--run GUEST [VMM options...]]. Everything after "--run GUEST" goes to the VMM unchanged.
import { readFileSync } from 'node:fs';
import { KvmiAddressError, parseKvmiAddress, type KvmiAddress } from '../../vmm/kvmi/transportAddress';
import { parseWatchSpec, WatchSpecError, type WatchSpec } from './watchSpec';

export const WATCH_HELP = `Usage: kvmi-watch [--listen unix:PATH|tcp:HOST:PORT] [--key SECRET|@FILE] --watch SPEC... [--run GUEST [VMM options...]]

Waits for a kvmi-vmm started with --introspect ADDR (or starts one with --run), watches guest memory
through KVMI page access, and prints each watched access as one JSON line on stdout:
  {"seq":..,"vcpu":0,"access":"w","gva":"0x..","gpa":"0x..","rip":"0x..","insn":"mov byte ptr [rax],dl","watch":"w:0x101000+16"}
Every event is answered CONTINUE, so the guest runs on. Exits when the VM ends, with the VM's exit
status under --run, else 0.

Options:
  --listen ADDR       where to wait for the VMM: unix:PATH (created with mode 0600) or tcp:HOST:PORT
                      (tcp:PORT = loopback). Default with --run: a private temporary Unix socket.
  --key SECRET|@FILE  the VMM's --introspect-key secret (passed on to the VMM under --run)
  --watch SPEC        ACCESS:ADDR[+LEN]; ACCESS is r, w, x or a combination (rw, rwx); ADDR is a
                      guest-physical address (0x... or decimal), LEN bytes (default 1). "v" before
                      ACCESS (vw:0x401000) or "gva:" before ADDR (w:gva:0x401000) watches a
                      guest-virtual range, translated through vCPU 0 before the guest starts.
                      An access is reported when its address lies in the range. Repeatable.
  --run GUEST ...     start "kvmi-vmm run GUEST --introspect ADDR ..." with the remaining arguments;
                      the guest's serial output goes to stderr.
  -h, --help          this text
`;

export interface WatchRequest {
  listen: KvmiAddress | undefined;
  key: Uint8Array | undefined;
  keyText: string | undefined;
  watches: WatchSpec[];
  run: { guest: string; vmmArgs: string[] } | undefined;
}

export class WatchUsageError extends Error {
  override readonly name = 'WatchUsageError';
}

function readKey(text: string): Uint8Array {
  if (!text.startsWith('@')) return new TextEncoder().encode(text);
  try {
    let bytes: Uint8Array = readFileSync(text.slice(1));
    if (bytes[bytes.length - 1] === 0x0a) bytes = bytes.subarray(0, bytes.length - 1);
    return bytes;
  } catch (e) {
    throw new WatchUsageError(`--key: cannot read ${text.slice(1)}: ${(e as Error).message}`);
  }
}

/** Parses argv (without node and the script); 'help' for -h/--help. */
export function parseWatchCommandLine(argv: readonly string[]): WatchRequest | 'help' {
  const request: WatchRequest = { listen: undefined, key: undefined, keyText: undefined, watches: [], run: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new WatchUsageError(`${arg} needs a value`);
      return v;
    };
    try {
      if (arg === '--listen') request.listen = parseKvmiAddress(value());
      else if (arg === '--key') { request.keyText = value(); request.key = readKey(request.keyText); }
      else if (arg === '--watch') request.watches.push(parseWatchSpec(value()));
      else if (arg === '--run') { request.run = { guest: value(), vmmArgs: argv.slice(i + 1) }; break; }
      else throw new WatchUsageError(`unknown option "${arg}" (see kvmi-watch --help)`);
    } catch (e) {
      if (e instanceof KvmiAddressError) throw new WatchUsageError(`--listen: ${e.message}`);
      if (e instanceof WatchSpecError) throw new WatchUsageError(e.message);
      throw e;
    }
  }
  if (request.watches.length === 0) throw new WatchUsageError('nothing to watch: give at least one --watch SPEC (see kvmi-watch --help)');
  if (!request.listen && !request.run) throw new WatchUsageError('give --listen ADDR (for a VMM started separately) or --run GUEST');
  if (request.listen?.kind === 'tcp' && request.listen.port === 0 && request.run === undefined) {
    throw new WatchUsageError('--listen tcp:...:0 picks a random port, which a separately started VMM cannot know; give a port');
  }
  return request;
}
