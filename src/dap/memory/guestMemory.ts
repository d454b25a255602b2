// Guest memory as the debugger sees it: guest-virtual ranges are translated page by page through
// a vCPU's page tables (KVMI_VCPU_TRANSLATE_GVA) and read with KVMI_VM_READ_PHYSICAL; pages that do
// not translate or cannot be read are reported as unreadable rather than failing the whole read.
import { UNMAPPED, type IntrospectionTarget } from '../target';
import { PAGE_SIZE, splitAtPages } from '../watch/watchpoint';

export interface MemoryRead {
  /** The readable prefix: reading stops at the first unreadable page. */
  bytes: Uint8Array;
  /** Bytes after `bytes` that could not be read. */
  unreadable: number;
}

/** Where a memory reference points: a guest-virtual address (through a vCPU) or a physical one. */
export interface MemoryLocation { space: 'virtual' | 'physical'; address: bigint }

export class GuestMemoryError extends Error {
  constructor(message: string) { super(message); this.name = 'GuestMemoryError'; }
}

const MASK64 = (1n << 64n) - 1n;

/** "phys:0x1000" -> physical; "0x1000" or "4096" -> virtual. Throws on anything else. */
export function parseMemoryReference(text: string): MemoryLocation {
  const trimmed = text.trim();
  const physical = /^phys:/i.test(trimmed);
  const number = physical ? trimmed.slice(5).trim() : trimmed;
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(number)) throw new GuestMemoryError(`"${text}" is not a memory reference: use 0xADDRESS or phys:0xADDRESS`);
  const address = BigInt(number);
  if (address > MASK64) throw new GuestMemoryError(`${text} is beyond the 64-bit address space`);
  return { space: physical ? 'physical' : 'virtual', address };
}

export function formatMemoryReference(location: MemoryLocation): string {
  const hex = `0x${location.address.toString(16)}`;
  return location.space === 'physical' ? `phys:${hex}` : hex;
}

export class GuestMemory {
  constructor(private readonly target: IntrospectionTarget) {}

  /** Guest-physical address of `gva` in `vcpu`'s address space, or undefined when unmapped. */
  async translate(vcpu: number, gva: bigint): Promise<bigint | undefined> {
    const gpa = await this.target.translate(vcpu, gva & MASK64);
    return gpa === UNMAPPED ? undefined : gpa;
  }

  async read(vcpu: number, location: MemoryLocation, length: number): Promise<MemoryRead> {
    const parts: Uint8Array[] = [];
    let done = 0;
    for (const page of splitAtPages(location.address, length)) {
      const gpa = location.space === 'physical' ? page.start : await this.translate(vcpu, page.start);
      const data = gpa === undefined ? undefined : await this.target.readPhysical(gpa, page.length).catch(() => undefined);
      if (!data) break;
      parts.push(data);
      done += page.length;
    }
    return { bytes: concat(parts, done), unreadable: length - done };
  }

  /** Writes all bytes or throws GuestMemoryError naming the first page that is not mapped. */
  async write(vcpu: number, location: MemoryLocation, data: Uint8Array): Promise<void> {
    let offset = 0;
    const targets: { gpa: bigint; chunk: Uint8Array }[] = [];
    for (const page of splitAtPages(location.address, data.length)) {
      const gpa = location.space === 'physical' ? page.start : await this.translate(vcpu, page.start);
      if (gpa === undefined) throw new GuestMemoryError(`guest-virtual page 0x${(page.start & ~(PAGE_SIZE - 1n)).toString(16)} is not mapped`);
      targets.push({ gpa, chunk: data.subarray(offset, offset + page.length) });
      offset += page.length;
    }
    for (const t of targets) await this.target.writePhysical(t.gpa, t.chunk);
  }

  /** Reads an unsigned little-endian integer of 1, 2, 4 or 8 bytes, or throws when unreadable. */
  async readUnsigned(vcpu: number, location: MemoryLocation, size: 1 | 2 | 4 | 8): Promise<bigint> {
    const { bytes } = await this.read(vcpu, location, size);
    if (bytes.length < size) throw new GuestMemoryError(`cannot read ${size} bytes at ${formatMemoryReference(location)}`);
    let value = 0n;
    for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
    return value;
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) { out.set(p.subarray(0, length - at), at); at += p.length; }
  return out;
}
