// The DWARF sections of one ELF file, gathered once: .debug_info, .debug_abbrev, the string
// sections (.debug_str, .debug_line_str, .debug_str_offsets), .debug_addr, range/location lists
// (v5 .debug_rnglists/.debug_loclists, v4 .debug_ranges/.debug_loc) and .debug_line.
import type { ElfFile } from '../elf/elfFile';

export interface DwarfSections {
  littleEndian: boolean;
  addressSize: 4 | 8;
  info: Uint8Array;
  abbrev: Uint8Array;
  line: Uint8Array;
  str: Uint8Array;
  lineStr: Uint8Array;
  strOffsets: Uint8Array;
  addr: Uint8Array;
  rnglists: Uint8Array;
  ranges: Uint8Array;
  loclists: Uint8Array;
  loc: Uint8Array;
}

export function dwarfSectionsOf(elf: ElfFile): DwarfSections {
  const get = (name: string) => elf.sectionBytes(name) ?? new Uint8Array(0);
  return {
    littleEndian: elf.header.littleEndian, addressSize: elf.addressSize,
    info: get('.debug_info'), abbrev: get('.debug_abbrev'), line: get('.debug_line'), str: get('.debug_str'),
    lineStr: get('.debug_line_str'), strOffsets: get('.debug_str_offsets'), addr: get('.debug_addr'),
    rnglists: get('.debug_rnglists'), ranges: get('.debug_ranges'), loclists: get('.debug_loclists'), loc: get('.debug_loc'),
  };
}
