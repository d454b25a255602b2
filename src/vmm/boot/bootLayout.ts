// Where the loader puts its own data in low guest memory, below the 1 MiB line where guest images
// usually load. Guest segments that overlap these areas are refused (see loadSegments).
// The map reported to the guest keeps the PC convention of a hole at 0xA0000-0xFFFFF.

/** GDT used by the PVH and ELF64 entry states (see flatSegments.ts for its entries). */
export const BOOT_GDT_ADDR = 0x0500;
/** hvm_start_info, then its memory map table right after it. */
export const START_INFO_ADDR = 0x0600;
export const MEMMAP_ADDR = 0x0640;
/** Identity page tables for ELF64 entry: PML4, PDPT, then four page directories (4 GiB, 2 MiB pages). */
export const PML4_ADDR = 0x1000;
export const PDPT_ADDR = 0x2000;
export const PD_ADDR = 0x3000;
export const IDENTITY_MAP_GIB = 4;
/** Initial stack top for ELF64 entry (grows down towards BOOT_AREA_END). */
export const ELF64_STACK_TOP = 0x80000;

/** Low-memory range reserved for the loader's data (GDT, start info, page tables, stack). */
export const BOOT_AREA_START = 0x0500;
export const BOOT_AREA_END = ELF64_STACK_TOP;

/** Raw real-mode images load here and start at 0000:7C00 (the PC boot-sector convention). */
export const RAW_LOAD_ADDR = 0x7c00;

/** Legacy VGA/ROM hole reported as reserved in the guest memory map. */
export const LEGACY_HOLE_START = 0xa0000;
export const LEGACY_HOLE_END = 0x100000;
