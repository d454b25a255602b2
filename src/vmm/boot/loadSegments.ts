// Copies an ELF image's PT_LOAD segments into guest RAM at their physical addresses (p_paddr),
// zero-filling the p_memsz tail (.bss). Refuses segments outside RAM or on top of the loader's own
// low-memory area (bootLayout.ts), so boot data and guest code can never silently overwrite each other.
import { BOOT_AREA_END, BOOT_AREA_START } from './bootLayout';
import { ElfError, ElfImage, span } from './elf';
import { BootError } from './bootError';

const hex = (n: number) => `0x${n.toString(16)}`;

export function loadSegments(file: Uint8Array, image: ElfImage, ram: Uint8Array): void {
  for (const seg of image.loadSegments) {
    if (seg.paddr + seg.memsz > ram.length) {
      throw new ElfError('segmentOutsideRam', `segment ${seg.index} (${span(seg)}) lies outside guest RAM (0x0-${hex(ram.length - 1)}, ${ram.length >> 20} MiB)`);
    }
    if (seg.paddr < BOOT_AREA_END && BOOT_AREA_START < seg.paddr + seg.memsz) {
      throw new BootError('overlapsBootArea', `segment ${seg.index} (${span(seg)}) overlaps the loader's boot data area ${hex(BOOT_AREA_START)}-${hex(BOOT_AREA_END - 1)}; link the guest at or above 0x100000`);
    }
  }
  for (const seg of image.loadSegments) {
    ram.set(file.subarray(seg.offset, seg.offset + seg.filesz), seg.paddr);
    ram.fill(0, seg.paddr + seg.filesz, seg.paddr + seg.memsz);
  }
}
