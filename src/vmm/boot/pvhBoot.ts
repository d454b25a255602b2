// PVH boot (Xen "x86/HVM direct boot ABI", as QEMU and Firecracker implement it): load the PT_LOAD
// segments, write hvm_start_info, and start at the PHYS32_ENTRY address in 32-bit flat protected
// mode with paging off: CR0.PE=1, CR4=0, EFER=0, CS a flat 32-bit code segment, DS/ES/SS (and
// FS/GS) flat 4 GiB data segments, EBX = the start-info address, EFLAGS = 0x2.
import { emptyRegs, emptySregs } from '../x86/kvmState';
import { BootError } from './bootError';
import { BootPlan, CR0_ET, CR0_PE, RFLAGS_RESERVED_1 } from './bootState';
import { ElfImage } from './elf';
import { bootSegments, flatCode32, writeBootGdt } from './flatSegments';
import { loadSegments } from './loadSegments';
import { findPvhEntry } from './pvhNote';
import { writeStartInfo } from './startInfo';

export function bootPvh(file: Uint8Array, image: ElfImage, ram: Uint8Array): BootPlan {
  const entry = findPvhEntry(image);
  if (entry === undefined) {
    throw new BootError('noPvhNote', 'the ELF file has no PVH entry note (Xen ELF note type 18, XEN_ELFNOTE_PHYS32_ENTRY)');
  }
  if (entry >= ram.length) throw new BootError('entryOutsideRam', `PVH entry 0x${entry.toString(16)} lies outside guest RAM (${ram.length >> 20} MiB)`);
  loadSegments(file, image, ram);
  writeBootGdt(ram);
  const regs = emptyRegs();
  regs.rip = BigInt(entry);
  regs.rbx = BigInt(writeStartInfo(ram));
  regs.rflags = RFLAGS_RESERVED_1;
  const sregs = emptySregs();
  bootSegments(sregs, flatCode32());
  sregs.cr0 = CR0_PE | CR0_ET;
  return { format: 'pvh', regs, sregs, description: `PVH entry 0x${entry.toString(16)} (32-bit protected mode, paging off)` };
}
