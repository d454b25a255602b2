// Non-contiguous address ranges (DW_AT_ranges) and location lists (DW_AT_location with loclist
// class): DWARF 5 .debug_rnglists (section 2.17.3, 7.25) and .debug_loclists (2.6.2, 7.29), and
// the DWARF 4 .debug_ranges / .debug_loc pair lists with base-address selection entries.
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';
import type { AttributeValue } from './attributeValue';
import * as constants from './constants';
import type { DwarfUnit } from './dwarfUnit';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_LLE, DW_RLE } = constants;

export interface AddressRange { low: bigint; high: bigint }
export interface LocationListEntry extends AddressRange { expression: Uint8Array }

/** Ranges named by a DW_AT_ranges value; `base` is the unit's DW_AT_low_pc. */
export function readRanges(unit: DwarfUnit, value: AttributeValue, base: bigint): AddressRange[] {
  if (unit.version >= 5) {
    const offset = listOffset(unit, value, unit.rnglistsBase, unit.sections.rnglists, 'DW_AT_ranges');
    return readRngList(unit, offset, base);
  }
  if (value.kind !== 'sectionOffset' && value.kind !== 'constant') return [];
  return readPairList(unit, unit.sections.ranges, Number(value.kind === 'constant' ? value.value : value.value), base, false)
    .map(({ low, high }) => ({ low, high }));
}

/** Entries of a location list named by a DW_AT_location of loclist class. */
export function readLocationList(unit: DwarfUnit, value: AttributeValue, base: bigint): LocationListEntry[] {
  if (unit.version >= 5) {
    const offset = listOffset(unit, value, unit.loclistsBase, unit.sections.loclists, 'DW_AT_location');
    return readLocList(unit, offset, base);
  }
  if (value.kind !== 'sectionOffset') return [];
  return readPairList(unit, unit.sections.loc, value.value, base, true);
}

/** rnglistx/loclistx index -> offset via the offsets array at the unit's base (7.28, 7.29). */
function listOffset(unit: DwarfUnit, value: AttributeValue, listBase: number, section: Uint8Array, what: string): number {
  if (value.kind === 'sectionOffset') return value.value;
  if (value.kind !== 'rnglistIndex' && value.kind !== 'loclistIndex') {
    throw new DebugInfoError('malformed', `${what} has unexpected value kind ${value.kind}`);
  }
  const r = new ByteReader(section, unit.sections.littleEndian, 0, what);
  r.seek(listBase + value.index * unit.offsetSize);
  return listBase + r.offset(unit.offsetSize);
}

function readRngList(unit: DwarfUnit, offset: number, base: bigint): AddressRange[] {
  const r = new ByteReader(unit.sections.rnglists, unit.sections.littleEndian, offset, '.debug_rnglists');
  const out: AddressRange[] = [];
  const size = unit.addressSize;
  for (;;) {
    const kind = r.u8();
    switch (kind) {
      case DW_RLE.end_of_list: return out;
      case DW_RLE.base_addressx: base = unit.indexedAddress(r.uleb()); break;
      case DW_RLE.startx_endx: out.push({ low: unit.indexedAddress(r.uleb()), high: unit.indexedAddress(r.uleb()) }); break;
      case DW_RLE.startx_length: { const low = unit.indexedAddress(r.uleb()); out.push({ low, high: low + r.ulebBig() }); break; }
      case DW_RLE.offset_pair: { const a = r.ulebBig(), b = r.ulebBig(); out.push({ low: base + a, high: base + b }); break; }
      case DW_RLE.base_address: base = r.address(size); break;
      case DW_RLE.start_end: out.push({ low: r.address(size), high: r.address(size) }); break;
      case DW_RLE.start_length: { const low = r.address(size); out.push({ low, high: low + r.ulebBig() }); break; }
      default: throw new DebugInfoError('malformed', `.debug_rnglists: unknown entry kind ${kind}`, r.pos - 1);
    }
  }
}

function readLocList(unit: DwarfUnit, offset: number, base: bigint): LocationListEntry[] {
  const r = new ByteReader(unit.sections.loclists, unit.sections.littleEndian, offset, '.debug_loclists');
  const out: LocationListEntry[] = [];
  const size = unit.addressSize;
  const push = (low: bigint, high: bigint) => out.push({ low, high, expression: r.bytesOf(r.uleb()) });
  for (;;) {
    const kind = r.u8();
    switch (kind) {
      case DW_LLE.end_of_list: return out;
      case DW_LLE.base_addressx: base = unit.indexedAddress(r.uleb()); break;
      case DW_LLE.startx_endx: push(unit.indexedAddress(r.uleb()), unit.indexedAddress(r.uleb())); break;
      case DW_LLE.startx_length: { const low = unit.indexedAddress(r.uleb()); push(low, low + r.ulebBig()); break; }
      case DW_LLE.offset_pair: { const a = r.ulebBig(), b = r.ulebBig(); push(base + a, base + b); break; }
      case DW_LLE.default_location: push(0n, (1n << 64n) - 1n); break;
      case DW_LLE.base_address: base = r.address(size); break;
      case DW_LLE.start_end: push(r.address(size), r.address(size)); break;
      case DW_LLE.start_length: { const low = r.address(size); push(low, low + r.ulebBig()); break; }
      case DW_LLE.GNU_view_pair: r.uleb(); r.uleb(); break;
      default: throw new DebugInfoError('malformed', `.debug_loclists: unknown entry kind ${kind}`, r.pos - 1);
    }
  }
}

/** DWARF 4 list of (begin, end) pairs relative to `base`, (0,0) ends it, (max, addr) sets base. */
function readPairList(unit: DwarfUnit, section: Uint8Array, offset: number, base: bigint, withExpression: boolean): LocationListEntry[] {
  const r = new ByteReader(section, unit.sections.littleEndian, offset, withExpression ? '.debug_loc' : '.debug_ranges');
  const size = unit.addressSize;
  const max = size === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  const out: LocationListEntry[] = [];
  for (;;) {
    const begin = r.address(size), end = r.address(size);
    if (begin === 0n && end === 0n) return out;
    if (begin === max) { base = end; continue; }
    const expression = withExpression ? r.bytesOf(r.u16()) : new Uint8Array(0);
    out.push({ low: base + begin, high: base + end, expression });
  }
}
