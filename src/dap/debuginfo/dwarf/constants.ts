// DWARF constants used by this reader, named and numbered as in DWARF 5 (dwarfstd.org, 2017)
// section 7: tags (7.5.3, Table 7.3), attributes (Table 7.5), forms (Table 7.6), unit types
// (Table 7.2), line-number opcodes (7.22), range/location list entries (7.25, 7.29).

export const DW_UT_compile = 0x01, DW_UT_type = 0x02, DW_UT_partial = 0x03, DW_UT_skeleton = 0x04,
  DW_UT_split_compile = 0x05, DW_UT_split_type = 0x06;

export const DW_TAG = {
  array_type: 0x01, class_type: 0x02, enumeration_type: 0x04, formal_parameter: 0x05, lexical_block: 0x0b,
  member: 0x0d, pointer_type: 0x0f, reference_type: 0x10, compile_unit: 0x11, structure_type: 0x13,
  subroutine_type: 0x15, typedef: 0x16, union_type: 0x17, inlined_subroutine: 0x1d, subrange_type: 0x21,
  base_type: 0x24, const_type: 0x26, enumerator: 0x28, subprogram: 0x2e, variable: 0x34, volatile_type: 0x35,
  restrict_type: 0x37, namespace: 0x39, atomic_type: 0x47, partial_unit: 0x3c, type_unit: 0x41, skeleton_unit: 0x4a,
} as const;

export const DW_AT = {
  sibling: 0x01, location: 0x02, name: 0x03, byte_size: 0x0b, bit_offset: 0x0c, bit_size: 0x0d, stmt_list: 0x10, low_pc: 0x11, high_pc: 0x12,
  language: 0x13, comp_dir: 0x1b, const_value: 0x1c, producer: 0x25, upper_bound: 0x2f, abstract_origin: 0x31,
  count: 0x37, data_member_location: 0x38, decl_column: 0x39, decl_file: 0x3a, decl_line: 0x3b, declaration: 0x3c,
  external: 0x3f, frame_base: 0x40, call_column: 0x57, call_file: 0x58, call_line: 0x59, specification: 0x47, type: 0x49, entry_pc: 0x52, ranges: 0x55,
  data_bit_offset: 0x6b, linkage_name: 0x6e, str_offsets_base: 0x72, addr_base: 0x73, rnglists_base: 0x74,
  loclists_base: 0x8c, GNU_ranges_base: 0x2132, GNU_addr_base: 0x2133, MIPS_linkage_name: 0x2007,
} as const;

export const DW_FORM = {
  addr: 0x01, block2: 0x03, block4: 0x04, data2: 0x05, data4: 0x06, data8: 0x07, string: 0x08, block: 0x09,
  block1: 0x0a, data1: 0x0b, flag: 0x0c, sdata: 0x0d, strp: 0x0e, udata: 0x0f, ref_addr: 0x10, ref1: 0x11,
  ref2: 0x12, ref4: 0x13, ref8: 0x14, ref_udata: 0x15, indirect: 0x16, sec_offset: 0x17, exprloc: 0x18,
  flag_present: 0x19, strx: 0x1a, addrx: 0x1b, ref_sup4: 0x1c, strp_sup: 0x1d, data16: 0x1e, line_strp: 0x1f,
  ref_sig8: 0x20, implicit_const: 0x21, loclistx: 0x22, rnglistx: 0x23, ref_sup8: 0x24, strx1: 0x25,
  strx2: 0x26, strx3: 0x27, strx4: 0x28, addrx1: 0x29, addrx2: 0x2a, addrx3: 0x2b, addrx4: 0x2c,
  GNU_addr_index: 0x1f01, GNU_str_index: 0x1f02, GNU_ref_alt: 0x1f20, GNU_strp_alt: 0x1f21,
} as const;

/** Line-number content type codes for DWARF 5 directory/file entry formats (7.22, Table 7.27). */
export const DW_LNCT = { path: 0x1, directory_index: 0x2, timestamp: 0x3, size: 0x4, MD5: 0x5 } as const;

/** Standard line-number opcodes (6.2.5.2). */
export const DW_LNS = {
  copy: 0x01, advance_pc: 0x02, advance_line: 0x03, set_file: 0x04, set_column: 0x05, negate_stmt: 0x06,
  set_basic_block: 0x07, const_add_pc: 0x08, fixed_advance_pc: 0x09, set_prologue_end: 0x0a,
  set_epilogue_begin: 0x0b, set_isa: 0x0c,
} as const;

/** Extended line-number opcodes (6.2.5.3). */
export const DW_LNE = { end_sequence: 0x01, set_address: 0x02, define_file: 0x03, set_discriminator: 0x04 } as const;

/** Range list entries in .debug_rnglists (2.17.3). */
export const DW_RLE = {
  end_of_list: 0, base_addressx: 1, startx_endx: 2, startx_length: 3, offset_pair: 4, base_address: 5,
  start_end: 6, start_length: 7,
} as const;

/** Location list entries in .debug_loclists (2.6.2). */
export const DW_LLE = {
  end_of_list: 0, base_addressx: 1, startx_endx: 2, startx_length: 3, offset_pair: 4, default_location: 5,
  base_address: 6, start_end: 7, start_length: 8, GNU_view_pair: 9,
} as const;
