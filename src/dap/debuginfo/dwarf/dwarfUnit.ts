// Compilation units of .debug_info (DWARF 5 section 7.5.1; DWARF 4 section 7.5.1.1): the unit
// header, the tree of DIEs decoded through the unit's abbreviation table, and resolution of the
// indexed forms through the unit's bases (DW_AT_str_offsets_base, addr_base, rnglists_base).
import { ByteReader, stringAt } from '../byteReader';
import { DebugInfoError } from '../errors';
import { parseAbbrevTable, type AbbrevTable } from './abbrev';
import { readAttributeValue, type AttributeValue, type FormContext } from './attributeValue';
import * as constants from './constants';
import type { DwarfSections } from './dwarfSections';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_AT, DW_UT_compile, DW_UT_partial, DW_UT_skeleton, DW_UT_split_compile, DW_UT_split_type, DW_UT_type } = constants;

export interface Die {
  offset: number;
  tag: number;
  attrs: Map<number, AttributeValue>;
  children: Die[];
  parent: Die | undefined;
  unit: DwarfUnit;
}

export class DwarfUnit {
  root!: Die;
  strOffsetsBase = 0;
  addrBase = 0;
  rnglistsBase = 0;
  loclistsBase = 0;

  constructor(readonly sections: DwarfSections, readonly offset: number, readonly end: number, readonly version: number,
    readonly unitType: number, readonly addressSize: number, readonly offsetSize: 4 | 8) {}

  /** Name of a DIE (DW_AT_name), resolving strx forms. */
  nameOf(die: Die): string | undefined { return this.stringOf(die.attrs.get(DW_AT.name)); }

  stringOf(value: AttributeValue | undefined): string | undefined {
    if (!value) return undefined;
    if (value.kind === 'string') return value.value;
    if (value.kind !== 'stringIndex') return undefined;
    // DWARF 5 section 7.26: .debug_str_offsets holds offset-size entries after the unit's base.
    const at = this.strOffsetsBase + value.index * this.offsetSize;
    const r = new ByteReader(this.sections.strOffsets, this.sections.littleEndian, 0, '.debug_str_offsets');
    if (at + this.offsetSize > r.length) throw new DebugInfoError('badStringIndex', `string index ${value.index} is past .debug_str_offsets`);
    return stringAt(this.sections.str, r.seek(at).offset(this.offsetSize), '.debug_str');
  }

  addressOf(value: AttributeValue | undefined): bigint | undefined {
    if (!value) return undefined;
    if (value.kind === 'address') return value.value;
    if (value.kind !== 'addressIndex') return undefined;
    return this.indexedAddress(value.index);
  }

  /** Entry `index` of this unit's .debug_addr contribution (DWARF 5 section 7.27). */
  indexedAddress(index: number): bigint {
    const at = this.addrBase + index * this.addressSize;
    const r = new ByteReader(this.sections.addr, this.sections.littleEndian, 0, '.debug_addr');
    if (at + this.addressSize > r.length) throw new DebugInfoError('badOffset', `address index ${index} is past .debug_addr`);
    return r.seek(at).address(this.addressSize);
  }

  /** A non-negative constant attribute (sizes, lines, counts), or undefined. */
  unsignedOf(die: Die, attribute: number): number | undefined {
    const v = die.attrs.get(attribute);
    if (v?.kind === 'constant') return Number(v.value);
    return undefined;
  }
}

/** All DIEs of .debug_info by offset, for following references across units. */
export type DieIndex = Map<number, Die>;

/** Anything that finds the DIE at a .debug_info offset: the full index, or a decoder on demand. */
export interface DieLookup {
  get(offset: number): Die | undefined;
}

/** A unit header (DWARF 5 section 7.5.1) with its abbreviation table; DIEs start at `diesStart`. */
export interface UnitHeader {
  unit: DwarfUnit;
  abbrevs: AbbrevTable;
  diesStart: number;
}

/** Reads every unit header of .debug_info (abbreviation tables shared between units that share them). */
export function readUnitHeaders(sections: DwarfSections): UnitHeader[] {
  const headers: UnitHeader[] = [];
  const abbrevCache = new Map<number, AbbrevTable>();
  const r = new ByteReader(sections.info, sections.littleEndian, 0, '.debug_info');
  while (r.length - r.pos >= 4) {
    const offset = r.pos;
    const { end, offsetSize } = r.initialLength();
    const version = r.u16();
    if (version < 2 || version > 5) throw new DebugInfoError('unsupported', `.debug_info unit version ${version}`, offset);
    let unitType = DW_UT_compile, addressSize: number, abbrevOffset: number;
    if (version >= 5) {
      unitType = r.u8(); addressSize = r.u8(); abbrevOffset = r.offset(offsetSize);
      if (unitType === DW_UT_skeleton || unitType === DW_UT_split_compile) r.skip(8);
      else if (unitType === DW_UT_type || unitType === DW_UT_split_type) { r.skip(8); r.offset(offsetSize); }
      else if (unitType !== DW_UT_compile && unitType !== DW_UT_partial) throw new DebugInfoError('unsupported', `unit type ${unitType}`, offset);
    } else {
      abbrevOffset = r.offset(offsetSize); addressSize = r.u8();
    }
    let abbrevs = abbrevCache.get(abbrevOffset);
    if (!abbrevs) { abbrevs = parseAbbrevTable(sections.abbrev, abbrevOffset, sections.littleEndian); abbrevCache.set(abbrevOffset, abbrevs); }
    headers.push({ unit: new DwarfUnit(sections, offset, end, version, unitType, addressSize, offsetSize), abbrevs, diesStart: r.pos });
    r.seek(end);
  }
  return headers;
}

/** The decoding context of a unit's attribute values. */
export function formContextOf(unit: DwarfUnit): FormContext {
  return { sections: unit.sections, version: unit.version, offsetSize: unit.offsetSize, addressSize: unit.addressSize, unitOffset: unit.offset };
}

/** Parses every unit of .debug_info and returns them with an offset -> DIE index. */
export function parseUnits(sections: DwarfSections): { units: DwarfUnit[]; dies: DieIndex } {
  const units: DwarfUnit[] = [];
  const dies: DieIndex = new Map();
  const r = new ByteReader(sections.info, sections.littleEndian, 0, '.debug_info');
  for (const { unit, abbrevs, diesStart } of readUnitHeaders(sections)) {
    const root = readDieTree(r.seek(diesStart), unit.end, abbrevs, unit, formContextOf(unit), dies, undefined);
    if (!root) throw new DebugInfoError('malformed', '.debug_info: unit has no DIEs', unit.offset);
    unit.root = root;
    applyBases(unit, root);
    units.push(unit);
  }
  return { units, dies };
}

/**
 * Decodes the DIE at the reader's position and all its descendants (null entries before it are
 * padding and skipped); every DIE goes into `index`. Undefined when the unit ends first.
 */
export function readDieTree(r: ByteReader, end: number, table: AbbrevTable, unit: DwarfUnit, ctx: FormContext,
  index: DieIndex, parentOfTop: Die | undefined): Die | undefined {
  const stack: Die[] = [];
  let top: Die | undefined;
  while (r.pos < end) {
    const read = readDie(r, end, table, unit, ctx, top ? stack[stack.length - 1] : parentOfTop);
    if (!read) { stack.pop(); if (stack.length === 0 && top) return top; continue; }
    const { die, hasChildren } = read;
    index.set(die.offset, die);
    if (top) die.parent!.children.push(die);
    else top = die;
    if (hasChildren) stack.push(die);
    else if (die === top) return top;
  }
  return top;
}

/** Decodes the one DIE at the reader's position (its attributes, not its children); undefined for a null entry. */
export function readDie(r: ByteReader, end: number, table: AbbrevTable, unit: DwarfUnit, ctx: FormContext,
  parent: Die | undefined): { die: Die; hasChildren: boolean } | undefined {
  const offset = r.pos;
  const code = r.uleb();
  if (code === 0) return undefined;
  const abbrev = table.get(code);
  if (!abbrev) throw new DebugInfoError('malformed', `.debug_info: DIE uses undefined abbreviation code ${code}`, offset);
  const attrs = new Map<number, AttributeValue>();
  for (const spec of abbrev.specs) attrs.set(spec.attribute, readAttributeValue(r, spec, ctx));
  if (r.pos > end) throw new DebugInfoError('truncated', '.debug_info: DIE runs past its unit', offset);
  return { die: { offset, tag: abbrev.tag, attrs, children: [], parent, unit }, hasChildren: abbrev.hasChildren };
}

/** Reads the *_base attributes of the unit DIE; defaults point past the first contribution header. */
export function applyBases(unit: DwarfUnit, root: Die): void {
  const base = (attr: number, fallback: number) => {
    const v = root.attrs.get(attr);
    return v?.kind === 'sectionOffset' ? v.value : v?.kind === 'constant' ? Number(v.value) : fallback;
  };
  const headerSize = unit.offsetSize === 8 ? 16 : 8;
  unit.strOffsetsBase = base(DW_AT.str_offsets_base, headerSize);
  unit.addrBase = base(DW_AT.addr_base, base(DW_AT.GNU_addr_base, headerSize));
  unit.rnglistsBase = base(DW_AT.rnglists_base, base(DW_AT.GNU_ranges_base, 0));
  unit.loclistsBase = base(DW_AT.loclists_base, 0);
}
