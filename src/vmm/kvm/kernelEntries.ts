// The guest-physical frames where the guest kernel is entered from user mode: the targets of the
// present IDT gates (SDM Vol. 3A 6.14.1 for 64-bit gates, 6.11 for 32-bit ones), LSTAR when
// EFER.SCE enables SYSCALL (SDM Vol. 3A 5.8.8) and IA32_SYSENTER_EIP when SYSENTER_CS is set
// (5.8.7). Read from guest RAM and translated through the guest's page tables without side effects.
import { KvmSregs } from '../x86/kvmState';

const EFER_LMA = 0x400n;
const EFER_SCE = 0x1n;

export interface EntryRegisters { sregs: KvmSregs; lstar: bigint; sysenterCs: bigint; sysenterEip: bigint }

/** The target offset of an interrupt or trap gate (16 bytes in IA-32e mode, else 8). */
export function gateTarget(gate: DataView, long: boolean): bigint {
  const offset = BigInt(gate.getUint16(0, true)) | (BigInt(gate.getUint16(6, true)) << 16n);
  return long ? offset | (BigInt(gate.getUint32(8, true)) << 32n) : offset;
}

/** `n` bytes at a guest-linear address (either side of a page boundary), or undefined if unmapped or outside RAM. */
export function readGuestLinear(ram: Uint8Array, translate: (gva: bigint) => bigint | undefined, lin: bigint, n: number): DataView | undefined {
  const first = translate(lin);
  if (first === undefined) return undefined;
  if (Number(first & 0xfffn) + n > 4096) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const gpa = translate(lin + BigInt(i));
      if (gpa === undefined || gpa >= BigInt(ram.length)) return undefined;
      bytes[i] = ram[Number(gpa)];
    }
    return new DataView(bytes.buffer);
  }
  if (first + BigInt(n) > BigInt(ram.length)) return undefined;
  return new DataView(ram.buffer, ram.byteOffset + Number(first), n);
}

/** Linear addresses of the kernel entry points. */
export function kernelEntryAddresses(r: EntryRegisters, ram: Uint8Array, translate: (gva: bigint) => bigint | undefined): bigint[] {
  const out: bigint[] = [];
  const long = (r.sregs.efer & EFER_LMA) !== 0n;
  const gateSize = long ? 16 : 8;
  const entries = Math.min(256, Math.floor((r.sregs.idt.limit + 1) / gateSize));
  for (let v = 0; v < entries; v++) {
    const d = readGuestLinear(ram, translate, r.sregs.idt.base + BigInt(v * gateSize), gateSize);
    if (d && isInterruptOrTrapGate(d.getUint8(5))) out.push(gateTarget(d, long));
  }
  return [...out, ...fastSystemCallEntries(r)];
}

/** Byte 5 of a gate descriptor: present (P) and of type interrupt or trap gate, 16- or 32/64-bit. */
function isInterruptOrTrapGate(flags: number): boolean {
  const type = flags & 0xf;
  return (flags & 0x80) !== 0 && (type === 0xe || type === 0xf || type === 0x6 || type === 0x7);
}

/** LSTAR when EFER.SCE enables SYSCALL, SYSENTER_EIP when SYSENTER_CS is set. */
function fastSystemCallEntries(r: EntryRegisters): bigint[] {
  const out: bigint[] = [];
  if (r.sregs.efer & EFER_SCE) out.push(r.lstar);
  if (r.sysenterCs !== 0n) out.push(r.sysenterEip);
  return out;
}

/** The frames (gpa >> 12) of the linear addresses `targets` that translate to RAM. */
function framesOf(targets: bigint[], ram: Uint8Array, translate: (gva: bigint) => bigint | undefined): Set<number> {
  const frames = new Set<number>();
  for (const lin of targets) {
    const gpa = translate(lin);
    if (gpa !== undefined && gpa < BigInt(ram.length)) frames.add(Number(gpa >> 12n));
  }
  return frames;
}

/**
 * `translate` walking each 4 KiB linear page once: an address translates to its page's translation
 * plus its offset, whatever the page size (SDM Vol. 3A 4.5). The gates of an IDT share one or two
 * pages and their targets a few, so one call below takes a handful of page walks instead of ~512.
 */
function translateByPage(translate: (gva: bigint) => bigint | undefined): (gva: bigint) => bigint | undefined {
  const pages = new Map<bigint, bigint | undefined>();
  return (gva) => {
    const page = gva & ~0xfffn;
    let base = pages.get(page);
    if (base === undefined && !pages.has(page)) {
      base = translate(page);
      pages.set(page, base);
    }
    return base === undefined ? undefined : base + (gva & 0xfffn);
  };
}

/** The frames (gpa >> 12) of the entry points that translate to RAM. */
export function kernelEntryFrames(r: EntryRegisters, ram: Uint8Array, walk: (gva: bigint) => bigint | undefined): Set<number> {
  const translate = translateByPage(walk);
  return framesOf(kernelEntryAddresses(r, ram, translate), ram, translate);
}

/**
 * kernelEntryFrames() for a caller that asks on every return to ring 3: the gate targets decoded
 * from the IDT are kept while the IDT's bytes (compared as a whole, ~4 KiB) and the IDTR and
 * paging mode that locate and shape them stay the same, so a call costs the IDT's translation and
 * comparison and one walk per target page. The targets are translated afresh every time (the
 * guest may have remapped them); LSTAR and SYSENTER_EIP are read every time.
 */
export class KernelEntryCache {
  private idt: Uint8Array | undefined;
  private idtBase = -1n;
  private long = false;
  private gateTargets: bigint[] = [];

  frames(r: EntryRegisters, ram: Uint8Array, walk: (gva: bigint) => bigint | undefined): Set<number> {
    const translate = translateByPage(walk);
    const long = (r.sregs.efer & EFER_LMA) !== 0n;
    const size = Math.min(256 * (long ? 16 : 8), r.sregs.idt.limit + 1);
    const bytes = readIdt(ram, translate, r.sregs.idt.base, size);
    if (!bytes) return kernelEntryFrames(r, ram, walk);   // partly unmapped: gate by gate
    if (!this.idt || this.idtBase !== r.sregs.idt.base || this.long !== long || !sameBytes(this.idt, bytes)) {
      this.idt = bytes.slice();
      this.idtBase = r.sregs.idt.base;
      this.long = long;
      this.gateTargets = presentGateTargets(this.idt, long);
    }
    return framesOf([...this.gateTargets, ...fastSystemCallEntries(r)], ram, translate);
  }
}

/** `size` bytes of the IDT at linear `base`, copied out of RAM page by page; undefined if any is unmapped. */
function readIdt(ram: Uint8Array, translate: (gva: bigint) => bigint | undefined, base: bigint, size: number): Uint8Array | undefined {
  const out = new Uint8Array(size);
  for (let done = 0; done < size;) {
    const gpa = translate(base + BigInt(done));
    if (gpa === undefined) return undefined;
    const at = Number(gpa);
    const n = Math.min(size - done, 4096 - (at & 0xfff));
    if (at + n > ram.length) return undefined;
    out.set(ram.subarray(at, at + n), done);
    done += n;
  }
  return out;
}

/** The targets of the present interrupt and trap gates in an IDT's bytes. */
function presentGateTargets(idt: Uint8Array, long: boolean): bigint[] {
  const gateSize = long ? 16 : 8;
  const view = new DataView(idt.buffer, idt.byteOffset, idt.length);
  const out: bigint[] = [];
  for (let at = 0; at + gateSize <= idt.length; at += gateSize) {
    if (isInterruptOrTrapGate(idt[at + 5])) out.push(gateTarget(new DataView(view.buffer, view.byteOffset + at, gateSize), long));
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
