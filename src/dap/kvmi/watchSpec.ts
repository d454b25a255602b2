// The --watch notation of kvmi-watch: ACCESS:ADDR[+LEN], where ACCESS is any combination of r, w
// and x (the accesses to report, e.g. "w", "rw", "x"), ADDR a hex (0x...) or decimal guest-physical
// address, LEN a byte count (default 1). A "v" before ACCESS ("vw:0x...") or "gva:" before ADDR
// ("w:gva:0x...") makes ADDR guest-virtual, translated through vCPU 0 before watching starts.
import { KVMI_PAGE_ACCESS } from '../../vmm/kvmi';

export interface WatchSpec {
  /** The text as given, for output. */
  text: string;
  /** KVMI page-access bits to take away (and report): R=1, W=2, X=4. */
  access: number;
  virtual: boolean;
  address: bigint;
  length: bigint;
}

export class WatchSpecError extends Error {
  override readonly name = 'WatchSpecError';
}

const ADDRESS_LIMIT = 1n << 64n;

function number(text: string, what: string, spec: string): bigint {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) throw new WatchSpecError(`--watch ${spec}: ${what} "${text}" is not a hex (0x...) or decimal number`);
  return BigInt(text);
}

export function parseWatchSpec(spec: string): WatchSpec {
  const match = /^(v?)([rwx]+):(gva:|gpa:)?([^+]+)(?:\+(.+))?$/i.exec(spec.trim());
  if (!match) throw new WatchSpecError(`--watch ${spec}: expected ACCESS:ADDR[+LEN] such as w:0x101000+16, rw:gva:0x401000 or vx:0x401000`);
  const [, vPrefix, letters, space, addressText, lengthText] = match;
  let access = 0;
  for (const letter of letters.toLowerCase()) {
    const bit = letter === 'r' ? KVMI_PAGE_ACCESS.R : letter === 'w' ? KVMI_PAGE_ACCESS.W : KVMI_PAGE_ACCESS.X;
    if (access & bit) throw new WatchSpecError(`--watch ${spec}: "${letter}" is given twice`);
    access |= bit;
  }
  if (vPrefix && space?.toLowerCase() === 'gpa:') throw new WatchSpecError(`--watch ${spec}: "v" (virtual) and "gpa:" contradict each other`);
  const address = number(addressText, 'address', spec);
  const length = lengthText === undefined ? 1n : number(lengthText, 'length', spec);
  if (length === 0n) throw new WatchSpecError(`--watch ${spec}: the length must be at least 1`);
  if (address + length > ADDRESS_LIMIT) throw new WatchSpecError(`--watch ${spec}: the range goes past the end of the 64-bit address space`);
  return { text: spec, access, virtual: vPrefix !== '' || space?.toLowerCase() === 'gva:', address, length };
}

/** "rw" for R|W, and so on. */
export function accessLetters(access: number): string {
  return `${access & KVMI_PAGE_ACCESS.R ? 'r' : ''}${access & KVMI_PAGE_ACCESS.W ? 'w' : ''}${access & KVMI_PAGE_ACCESS.X ? 'x' : ''}`;
}
