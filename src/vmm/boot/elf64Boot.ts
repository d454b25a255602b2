// Direct long-mode entry for an ELF64 image without a PVH note: load the segments, build identity
// page tables for the first 4 GiB with 2 MiB pages (SDM Vol. 3A 4.5, Figure 4-9), and enter
// 64-bit mode at e_entry with CR0.PG|PE, CR4.PAE, EFER.LME|LMA, a flat 64-bit CS, RSP at the boot
// stack, and RBX = an hvm_start_info describing RAM (same structure as PVH, for the memory map).
import { emptyRegs, emptySregs } from '../x86/kvmState';
import { BootError } from './bootError';
import { IDENTITY_MAP_GIB, ELF64_STACK_TOP, PD_ADDR, PDPT_ADDR, PML4_ADDR } from './bootLayout';
import { BootPlan, CR0_ET, CR0_PE, CR0_PG, CR4_PAE, EFER_LMA, EFER_LME, RFLAGS_RESERVED_1 } from './bootState';
import { ElfImage } from './elf';
import { bootSegments, flatCode64, writeBootGdt } from './flatSegments';
import { loadSegments } from './loadSegments';
import { writeStartInfo } from './startInfo';

const PTE_P = 0x1n;
const PTE_RW = 0x2n;
const PDE_PS = 0x80n;   // 2 MiB page

/** Writes PML4 -> PDPT -> 4 PDs mapping virtual = physical for 0..4 GiB. */
export function writeIdentityPageTables(ram: Uint8Array): bigint {
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  ram.fill(0, PML4_ADDR, PD_ADDR + IDENTITY_MAP_GIB * 0x1000);
  view.setBigUint64(PML4_ADDR, BigInt(PDPT_ADDR) | PTE_P | PTE_RW, true);
  for (let g = 0; g < IDENTITY_MAP_GIB; g++) {
    const pd = PD_ADDR + g * 0x1000;
    view.setBigUint64(PDPT_ADDR + g * 8, BigInt(pd) | PTE_P | PTE_RW, true);
    for (let i = 0; i < 512; i++) {
      const phys = (BigInt(g) << 30n) | (BigInt(i) << 21n);
      view.setBigUint64(pd + i * 8, phys | PTE_P | PTE_RW | PDE_PS, true);
    }
  }
  return BigInt(PML4_ADDR);
}

export function bootElf64(file: Uint8Array, image: ElfImage, ram: Uint8Array): BootPlan {
  if (image.bits !== 64) throw new BootError('noBootProtocol', 'a 32-bit ELF file needs a PVH note (Xen ELF note type 18) to boot; none was found');
  if (image.entry >= ram.length) throw new BootError('entryOutsideRam', `ELF entry 0x${image.entry.toString(16)} lies outside guest RAM (${ram.length >> 20} MiB)`);
  loadSegments(file, image, ram);
  writeBootGdt(ram);
  const regs = emptyRegs();
  regs.rip = BigInt(image.entry);
  regs.rsp = BigInt(ELF64_STACK_TOP);
  regs.rbx = BigInt(writeStartInfo(ram));
  regs.rflags = RFLAGS_RESERVED_1;
  const sregs = emptySregs();
  bootSegments(sregs, flatCode64());
  sregs.cr3 = writeIdentityPageTables(ram);
  sregs.cr0 = CR0_PG | CR0_ET | CR0_PE;
  sregs.cr4 = CR4_PAE;
  sregs.efer = EFER_LME | EFER_LMA;
  return { format: 'elf64', regs, sregs, description: `ELF64 entry 0x${image.entry.toString(16)} (long mode, identity-mapped 4 GiB)` };
}
