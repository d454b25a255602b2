// Reads one attribute value from .debug_info according to its form (DWARF 5 section 7.5.5,
// Table 7.6; GNU extensions for split DWARF). Indexed forms (strx*, addrx*, rnglistx, loclistx)
// stay as indexes here: they need the unit's *_base attributes, resolved later by DwarfUnit.
// skipAttributeValue advances past a value by its encoded size only, for scans that decode just
// the few attributes they need.
import { ByteReader, stringAt } from '../byteReader';
import { DebugInfoError } from '../errors';
import * as constants from './constants';
import type { AttributeSpec } from './abbrev';
import type { DwarfSections } from './dwarfSections';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_FORM } = constants;

export type AttributeValue =
  | { kind: 'address'; value: bigint }
  | { kind: 'addressIndex'; index: number }
  | { kind: 'constant'; value: bigint; signed: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'stringIndex'; index: number }
  | { kind: 'reference'; offset: number }          // absolute .debug_info offset
  | { kind: 'signature'; value: bigint }           // DW_FORM_ref_sig8 (type units)
  | { kind: 'sectionOffset'; value: number }
  | { kind: 'rnglistIndex'; index: number }
  | { kind: 'loclistIndex'; index: number }
  | { kind: 'block'; bytes: Uint8Array }            // exprloc, block*, data16
  | { kind: 'flag'; value: boolean }
  | { kind: 'external'; form: number };            // supplementary-file forms we do not follow

export interface FormContext {
  sections: DwarfSections;
  version: number;
  offsetSize: 4 | 8;
  addressSize: number;
  unitOffset: number;
}

/** Reads the value of `spec` at the reader's position and advances past it. */
export function readAttributeValue(r: ByteReader, spec: AttributeSpec, ctx: FormContext): AttributeValue {
  return readForm(r, spec.form, ctx, spec.implicitConst);
}

/**
 * Advances past a value of `form` without decoding it (no allocation); the sizes follow the
 * same Table 7.6 as readForm. Forms of variable length fall back to reading their length.
 */
export function skipAttributeValue(r: ByteReader, form: number, ctx: FormContext): void {
  switch (form) {
    case DW_FORM.flag_present: case DW_FORM.implicit_const: return;
    case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: r.skip(1); return;
    case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: r.skip(2); return;
    case DW_FORM.strx3: case DW_FORM.addrx3: r.skip(3); return;
    case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.strx4: case DW_FORM.addrx4: case DW_FORM.ref_sup4: r.skip(4); return;
    case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: r.skip(8); return;
    case DW_FORM.data16: r.skip(16); return;
    case DW_FORM.addr: r.skip(ctx.addressSize); return;
    case DW_FORM.strp: case DW_FORM.line_strp: case DW_FORM.sec_offset: case DW_FORM.GNU_ref_alt: case DW_FORM.strp_sup:
    case DW_FORM.GNU_strp_alt: r.skip(ctx.offsetSize); return;
    case DW_FORM.ref_addr: r.skip(ctx.version <= 2 ? ctx.addressSize : ctx.offsetSize); return;
    case DW_FORM.sdata: case DW_FORM.udata: case DW_FORM.ref_udata: case DW_FORM.strx: case DW_FORM.GNU_str_index:
    case DW_FORM.addrx: case DW_FORM.GNU_addr_index: case DW_FORM.rnglistx: case DW_FORM.loclistx: skipLeb128(r); return;
    case DW_FORM.string: {
      const end = r.bytes.indexOf(0, r.pos);
      if (end < 0) throw new DebugInfoError('truncated', `${r.what}: unterminated string`, r.pos);
      r.pos = end + 1;
      return;
    }
    case DW_FORM.exprloc: case DW_FORM.block: r.skip(r.uleb()); return;
    case DW_FORM.block1: r.skip(r.u8()); return;
    case DW_FORM.block2: r.skip(r.u16()); return;
    case DW_FORM.block4: r.skip(r.u32()); return;
    case DW_FORM.indirect: skipAttributeValue(r, r.uleb(), ctx); return;
    default:
      throw new DebugInfoError('unsupported', `.debug_info: unknown attribute form 0x${form.toString(16)}`, r.pos);
  }
}

function skipLeb128(r: ByteReader): void {
  while (r.u8() & 0x80) { /* continuation bit set: more bytes follow (DWARF 5 section 7.6) */ }
}

function readForm(r: ByteReader, form: number, ctx: FormContext, implicitConst?: bigint): AttributeValue {
  switch (form) {
    case DW_FORM.addr: return { kind: 'address', value: r.address(ctx.addressSize) };
    case DW_FORM.data1: return { kind: 'constant', value: BigInt(r.u8()), signed: false };
    case DW_FORM.data2: return { kind: 'constant', value: BigInt(r.u16()), signed: false };
    case DW_FORM.data4: return { kind: 'constant', value: BigInt(r.u32()), signed: false };
    case DW_FORM.data8: return { kind: 'constant', value: r.u64(), signed: false };
    case DW_FORM.data16: return { kind: 'block', bytes: r.bytesOf(16) };
    case DW_FORM.sdata: return { kind: 'constant', value: r.slebBig(), signed: true };
    case DW_FORM.udata: return { kind: 'constant', value: r.ulebBig(), signed: false };
    case DW_FORM.implicit_const: return { kind: 'constant', value: implicitConst ?? 0n, signed: true };
    case DW_FORM.flag: return { kind: 'flag', value: r.u8() !== 0 };
    case DW_FORM.flag_present: return { kind: 'flag', value: true };
    case DW_FORM.string: return { kind: 'string', value: r.cstring() };
    case DW_FORM.strp: return { kind: 'string', value: stringAt(ctx.sections.str, r.offset(ctx.offsetSize), '.debug_str') };
    case DW_FORM.line_strp: return { kind: 'string', value: stringAt(ctx.sections.lineStr, r.offset(ctx.offsetSize), '.debug_line_str') };
    case DW_FORM.strx: case DW_FORM.GNU_str_index: return { kind: 'stringIndex', index: r.uleb() };
    case DW_FORM.strx1: return { kind: 'stringIndex', index: r.u8() };
    case DW_FORM.strx2: return { kind: 'stringIndex', index: r.u16() };
    case DW_FORM.strx3: return { kind: 'stringIndex', index: r.u24() };
    case DW_FORM.strx4: return { kind: 'stringIndex', index: r.u32() };
    case DW_FORM.addrx: case DW_FORM.GNU_addr_index: return { kind: 'addressIndex', index: r.uleb() };
    case DW_FORM.addrx1: return { kind: 'addressIndex', index: r.u8() };
    case DW_FORM.addrx2: return { kind: 'addressIndex', index: r.u16() };
    case DW_FORM.addrx3: return { kind: 'addressIndex', index: r.u24() };
    case DW_FORM.addrx4: return { kind: 'addressIndex', index: r.u32() };
    case DW_FORM.ref1: return { kind: 'reference', offset: ctx.unitOffset + r.u8() };
    case DW_FORM.ref2: return { kind: 'reference', offset: ctx.unitOffset + r.u16() };
    case DW_FORM.ref4: return { kind: 'reference', offset: ctx.unitOffset + r.u32() };
    case DW_FORM.ref8: return { kind: 'reference', offset: ctx.unitOffset + r.u64Number() };
    case DW_FORM.ref_udata: return { kind: 'reference', offset: ctx.unitOffset + r.uleb() };
    case DW_FORM.ref_addr:
      // DWARF 2 used the address size for ref_addr; later versions the offset size (7.5.5).
      return { kind: 'reference', offset: ctx.version <= 2 ? Number(r.address(ctx.addressSize)) : r.offset(ctx.offsetSize) };
    case DW_FORM.ref_sig8: return { kind: 'signature', value: r.u64() };
    case DW_FORM.sec_offset: return { kind: 'sectionOffset', value: r.offset(ctx.offsetSize) };
    case DW_FORM.rnglistx: return { kind: 'rnglistIndex', index: r.uleb() };
    case DW_FORM.loclistx: return { kind: 'loclistIndex', index: r.uleb() };
    case DW_FORM.exprloc: case DW_FORM.block: return { kind: 'block', bytes: r.bytesOf(r.uleb()) };
    case DW_FORM.block1: return { kind: 'block', bytes: r.bytesOf(r.u8()) };
    case DW_FORM.block2: return { kind: 'block', bytes: r.bytesOf(r.u16()) };
    case DW_FORM.block4: return { kind: 'block', bytes: r.bytesOf(r.u32()) };
    case DW_FORM.indirect: return readForm(r, r.uleb(), ctx, implicitConst);
    case DW_FORM.ref_sup4: case DW_FORM.GNU_ref_alt: case DW_FORM.strp_sup: case DW_FORM.GNU_strp_alt:
      r.offset(form === DW_FORM.ref_sup4 ? 4 : ctx.offsetSize);
      return { kind: 'external', form };
    case DW_FORM.ref_sup8: r.u64(); return { kind: 'external', form };
    default:
      throw new DebugInfoError('unsupported', `.debug_info: unknown attribute form 0x${form.toString(16)}`, r.pos);
  }
}
