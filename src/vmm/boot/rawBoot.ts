// Raw real-mode image: the file's bytes are copied to 0x7C00 and execution starts at CS:IP =
// 0000:7C00 in real mode (the PC boot-sector convention), with CR0 at its reset value, DL = 0x80
// (boot drive), SS:SP = 0000:7C00 and the real-mode IVT at 0 (IDTR limit 0x3FF). No BIOS exists.
import { KvmSegment, emptyRegs, emptySregs } from '../x86/kvmState';
import { BootError } from './bootError';
import { LEGACY_HOLE_START, RAW_LOAD_ADDR } from './bootLayout';
import { BootPlan, CR0_RESET, RFLAGS_RESERVED_1 } from './bootState';

/** A real-mode segment with selector 0 (base 0, 64 KiB limit). SDM Vol. 3A 20.1.1. */
function realModeSegment(type: number): KvmSegment {
  return { base: 0n, limit: 0xffff, selector: 0, type, present: 1, dpl: 0, db: 0, s: 1, l: 0, g: 0, avl: 0, unusable: 0 };
}

export function bootRaw(file: Uint8Array, ram: Uint8Array): BootPlan {
  const end = RAW_LOAD_ADDR + file.length;
  if (end > ram.length || end > LEGACY_HOLE_START) {
    throw new BootError('imageTooLarge', `raw image of ${file.length} bytes loaded at 0x7c00 would end at 0x${end.toString(16)}, beyond ${end > ram.length ? 'guest RAM' : 'the 640 KiB real-mode area'}`);
  }
  ram.set(file, RAW_LOAD_ADDR);
  const regs = emptyRegs();
  regs.rip = BigInt(RAW_LOAD_ADDR);
  regs.rsp = BigInt(RAW_LOAD_ADDR);
  regs.rdx = 0x80n;
  regs.rflags = RFLAGS_RESERVED_1;
  const sregs = emptySregs();
  sregs.cs = realModeSegment(0xb);
  for (const name of ['ds', 'es', 'fs', 'gs', 'ss'] as const) sregs[name] = realModeSegment(0x3);
  sregs.tr = { ...realModeSegment(0xb), s: 0 };
  sregs.ldt = { ...realModeSegment(0x2), s: 0 };
  sregs.idt = { base: 0n, limit: 0x3ff };
  sregs.gdt = { base: 0n, limit: 0xffff };
  sregs.cr0 = CR0_RESET;
  return { format: 'raw', regs, sregs, description: 'raw real-mode image at 0000:7c00' };
}
