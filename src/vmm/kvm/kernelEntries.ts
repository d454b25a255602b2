// The guest-physical frames where the guest kernel is entered from user mode: the targets of the
// present IDT gates (SDM Vol. 3A 6.14.1 for 64-bit gates, 6.11 for 32-bit ones), LSTAR when
// EFER.SCE enables SYSCALL (SDM Vol. 3A 5.8.8) and IA32_SYSENTER_EIP when SYSENTER_CS is set
// (5.8.7). Read from guest RAM and translated through the guest's page tables without side effects.
import { KvmSregs } from '../x86/kvmState';

const EFER_LMA = 0x400n;
const EFER_SCE = 0x1n;

export interface EntryRegisters { sregs: KvmSregs; lstar: bigint; sysenterCs: bigint; sysenterEip: bigint }

/** Linear addresses of the kernel entry points. */
export function kernelEntryAddresses(r: EntryRegisters, ram: Uint8Array, translate: (gva: bigint) => bigint | undefined): bigint[] {
  const out: bigint[] = [];
  const long = (r.sregs.efer & EFER_LMA) !== 0n;
  const gateSize = long ? 16 : 8;
  const entries = Math.min(256, Math.floor((r.sregs.idt.limit + 1) / gateSize));
  const read = (lin: bigint, n: number): Uint8Array | undefined => {
    const gpa = translate(lin);
    if (gpa === undefined || gpa + BigInt(n) > BigInt(ram.length)) return undefined;
    return ram.subarray(Number(gpa), Number(gpa) + n);
  };
  for (let v = 0; v < entries; v++) {
    const gate = read(r.sregs.idt.base + BigInt(v * gateSize), gateSize);
    if (!gate) continue;
    const d = new DataView(gate.buffer, gate.byteOffset, gateSize);
    if (!(d.getUint8(5) & 0x80)) continue;                       // P bit
    const type = d.getUint8(5) & 0xf;
    if (type !== 0xe && type !== 0xf && !(type === 0x6 || type === 0x7)) continue;   // interrupt/trap gates
    let offset = BigInt(d.getUint16(0, true)) | (BigInt(d.getUint16(6, true)) << 16n);
    if (long) offset |= BigInt(d.getUint32(8, true)) << 32n;
    out.push(offset);
  }
  if (r.sregs.efer & EFER_SCE) out.push(r.lstar);
  if (r.sysenterCs !== 0n) out.push(r.sysenterEip);
  return out;
}

/** The frames (gpa >> 12) of the entry points that translate to RAM. */
export function kernelEntryFrames(r: EntryRegisters, ram: Uint8Array, translate: (gva: bigint) => bigint | undefined): Set<number> {
  const frames = new Set<number>();
  for (const lin of kernelEntryAddresses(r, ram, translate)) {
    const gpa = translate(lin);
    if (gpa !== undefined && gpa < BigInt(ram.length)) frames.add(Number(gpa >> 12n));
  }
  return frames;
}
