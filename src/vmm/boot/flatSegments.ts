// The boot GDT and the matching kvm_segment values for the entry states: flat 4 GiB code and data
// segments for 32-bit protected mode (PVH) and a 64-bit code segment for long mode.
// Descriptor encoding: Intel SDM Vol. 3A 3.4.5 "Segment Descriptors"; type values: Table 3-1.
import { KvmSegment, KvmSregs } from '../x86/kvmState';
import { BOOT_GDT_ADDR } from './bootLayout';

export const SEL_CODE64 = 0x08;
export const SEL_CODE32 = 0x10;
export const SEL_DATA = 0x18;
export const SEL_TSS = 0x20;
export const BOOT_GDT_LIMIT = 0x27;

const TYPE_CODE_RX_ACCESSED = 0xb;
const TYPE_DATA_RW_ACCESSED = 0x3;
const TYPE_TSS32_BUSY = 0xb;

/** Raw descriptors: null, code64, code32, data (all flat, base 0, limit 4 GiB, DPL 0), TSS stand-in. */
const GDT_ENTRIES: bigint[] = [
  0n,
  0x00af9b000000ffffn,   // code64: P, S, type B, L=1, G=1
  0x00cf9b000000ffffn,   // code32: P, S, type B, D=1, G=1
  0x00cf93000000ffffn,   // data:   P, S, type 3, B=1, G=1
  0x00008b0000000067n,   // TSS:    P, type B (busy 32-bit TSS), limit 0x67, base 0
];

/** Writes the boot GDT into guest RAM. */
export function writeBootGdt(ram: Uint8Array): void {
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  GDT_ENTRIES.forEach((d, i) => view.setBigUint64(BOOT_GDT_ADDR + i * 8, d, true));
}

function flat(selector: number, type: number, db: number, l: number): KvmSegment {
  return { base: 0n, limit: 0xffffffff, selector, type, present: 1, dpl: 0, db, s: 1, l, g: 1, avl: 0, unusable: 0 };
}

export const flatCode32 = () => flat(SEL_CODE32, TYPE_CODE_RX_ACCESSED, 1, 0);
export const flatCode64 = () => flat(SEL_CODE64, TYPE_CODE_RX_ACCESSED, 0, 1);
export const flatData = () => flat(SEL_DATA, TYPE_DATA_RW_ACCESSED, 1, 0);

/** Segment, GDTR and task-register part of a protected/long-mode entry state. */
export function bootSegments(sregs: KvmSregs, code: KvmSegment): void {
  sregs.cs = code;
  sregs.ds = flatData(); sregs.es = flatData(); sregs.ss = flatData();
  sregs.fs = flatData(); sregs.gs = flatData();
  sregs.tr = { base: 0n, limit: 0x67, selector: SEL_TSS, type: TYPE_TSS32_BUSY, present: 1, dpl: 0, db: 0, s: 0, l: 0, g: 0, avl: 0, unusable: 0 };
  sregs.ldt = { base: 0n, limit: 0xffff, selector: 0, type: 2, present: 1, dpl: 0, db: 0, s: 0, l: 0, g: 0, avl: 0, unusable: 1 };
  sregs.gdt = { base: BigInt(BOOT_GDT_ADDR), limit: BOOT_GDT_LIMIT };
  sregs.idt = { base: 0n, limit: 0 };
}
