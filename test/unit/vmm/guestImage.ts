// Test helpers around guest images: an ELF64 symbol's guest-physical address (through the PT_LOAD
// segment that contains it), and whether the software x86 core can be loaded at all.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseElf } from '../../../src/vmm/boot/elf';

const SHT_SYMTAB = 2;

/** Virtual address of `name` in the ELF64 file at `path` (its .symtab), or throws. */
export function symbolAddress(path: string, name: string): number {
  const file = readFileSync(path);
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = Number(v.getBigUint64(40, true));
  const shentsize = v.getUint16(58, true);
  const shnum = v.getUint16(60, true);
  const section = (i: number) => shoff + i * shentsize;
  for (let i = 0; i < shnum; i++) {
    if (v.getUint32(section(i) + 4, true) !== SHT_SYMTAB) continue;
    const symOff = Number(v.getBigUint64(section(i) + 24, true));
    const symSize = Number(v.getBigUint64(section(i) + 32, true));
    const strOff = Number(v.getBigUint64(section(v.getUint32(section(i) + 40, true)) + 24, true));
    for (let s = symOff; s < symOff + symSize; s += 24) {
      const nameAt = strOff + v.getUint32(s, true);
      const end = file.indexOf(0, nameAt);
      if (file.toString('latin1', nameAt, end) === name) return Number(v.getBigUint64(s + 8, true));
    }
  }
  throw new Error(`symbol ${name} not found in ${path}`);
}

/** Guest-physical address of symbol `name`, mapped through the PT_LOAD segment holding it. */
export function symbolPhysicalAddress(path: string, name: string): number {
  const vaddr = symbolAddress(path, name);
  const seg = parseElf(readFileSync(path)).loadSegments.find((s) => vaddr >= s.vaddr && vaddr < s.vaddr + s.memsz);
  if (!seg) throw new Error(`symbol ${name} at 0x${vaddr.toString(16)} is in no PT_LOAD segment`);
  return vaddr - seg.vaddr + seg.paddr;
}

/** Why the software x86 core cannot run, or undefined when it loads. */
export function x86CoreMissing(): string | undefined {
  try {
    const core = createRequire(__filename)('../../../src/vmm/x86/cpu') as { X86Cpu?: unknown };
    return typeof core.X86Cpu === 'function' ? undefined : 'src/vmm/x86/cpu.ts does not export X86Cpu';
  } catch (e) {
    return `the software x86 core does not load: ${(e as Error).message.split('\n')[0]}`;
  }
}
