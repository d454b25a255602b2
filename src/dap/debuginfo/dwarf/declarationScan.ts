// Declarations-only pass over .debug_info: the functions with code and the variables with a fixed
// address (globals, file and function statics) of each compile unit, with name, declaration
// position, address range / address, size and type (DWARF 5 sections 3.3 and 4.1). Unlike the
// program model it builds no DIE tree: it walks the abbreviations, skips subtrees it does not need
// (DW_AT_sibling, else by form sizes), and decodes only the attributes it reads.
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';
import type { Abbreviation, AbbrevTable, AttributeSpec } from './abbrev';
import * as attributeValues from './attributeValue';
import type { AttributeValue, FormContext } from './attributeValue';
import * as constants from './constants';
import { codeRanges, declarationOf, dieReferencedBy, inheritedString, sourceFileOf } from './dieAttributes';
import { DieDecoder } from './dieDecoder';
import { applyBases, formContextOf, readDie, readUnitHeaders, type Die, type DwarfUnit, type UnitHeader } from './dwarfUnit';
import type { DwarfSections } from './dwarfSections';
import { classifyLocation } from './locationExpression';
import { describeCompileUnit, type CompileUnitInfo } from './programModel';
import type { AddressRange } from './rangeLists';
import { TypeResolver, type TypeInfo } from './typeInfo';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_AT, DW_TAG, DW_FORM } = constants;
const { readAttributeValue, skipAttributeValue } = attributeValues;

/** A function with code (DW_TAG_subprogram with DW_AT_low_pc/high_pc or DW_AT_ranges). */
export interface DeclaredFunction {
  name: string;
  /** DW_AT_external: visible outside its compile unit. */
  external: boolean;
  ranges: AddressRange[];
  /** Lowest and highest address of the ranges. */
  low: bigint;
  high: bigint;
  declFile: string | undefined;
  declLine: number | undefined;
  compileUnit: CompileUnitInfo;
}

/** A variable with a fixed address: `global` has external linkage, `static` is file or function static. */
export interface DeclaredVariable {
  name: string;
  scope: 'global' | 'static';
  address: bigint;
  type: TypeInfo | undefined;
  /** Bytes the variable occupies (its type's size), when known. */
  byteSize: number | undefined;
  declFile: string | undefined;
  declLine: number | undefined;
  compileUnit: CompileUnitInfo;
}

export interface DeclarationScan {
  compileUnits: CompileUnitInfo[];
  functions: DeclaredFunction[];
  /** In .debug_info order (the program model sorts its globals by address). */
  variables: DeclaredVariable[];
}

/** Deepest nesting of namespaces and lexical blocks followed (deeper only occurs in corrupt data). */
const MAX_SCOPE_DEPTH = 256;

/** The attributes the scan reads; each DIE records where their values start. */
const SLOTS = [DW_AT.name, DW_AT.decl_file, DW_AT.decl_line, DW_AT.external, DW_AT.declaration, DW_AT.low_pc,
  DW_AT.high_pc, DW_AT.ranges, DW_AT.location, DW_AT.type, DW_AT.specification, DW_AT.abstract_origin, DW_AT.sibling];
const SLOT_OF_ATTRIBUTE = new Int8Array(0x80).fill(-1);
SLOTS.forEach((attribute, slot) => { SLOT_OF_ATTRIBUTE[attribute] = slot; });
const slot = (attribute: number) => SLOT_OF_ATTRIBUTE[attribute];

/** DW_OP_addr, DW_OP_addrx, DW_OP_GNU_addr_index: the first operation of a fixed-address location (2.5.1.1). */
const ADDRESS_OPS = new Set([0x03, 0xa1, 0xfb]);

export function scanDeclarations(sections: DwarfSections, isLoaded: (address: bigint) => boolean = () => true): DeclarationScan {
  const headers = readUnitHeaders(sections);
  const reader = new ByteReader(sections.info, sections.littleEndian, 0, '.debug_info');
  // Every unit's root first: a reference may lead into a later unit, whose *_base attributes must be known.
  const rootHasChildren = headers.map(({ unit, abbrevs, diesStart }) => {
    const read = readDie(reader.seek(diesStart), unit.end, abbrevs, unit, formContextOf(unit), undefined);
    if (!read) throw new DebugInfoError('malformed', '.debug_info: unit has no DIEs', unit.offset);
    unit.root = read.die;
    applyBases(unit, read.die);
    return read.hasChildren;
  });
  const dies = new DieDecoder(headers);
  const scan: DeclarationScan = { compileUnits: [], functions: [], variables: [] };
  const scanner = new UnitScanner(sections, dies, new TypeResolver(dies), isLoaded, scan);
  headers.forEach((header, i) => {
    const cu = describeCompileUnit(header.unit, sections, isLoaded);
    if (!cu) return;
    scan.compileUnits.push(cu);
    if (rootHasChildren[i]) scanner.scanUnit(header, cu);
  });
  return scan;
}

/** Walks the DIEs of one unit at a time, keeping per-DIE state in reused arrays (no allocation per DIE). */
class UnitScanner {
  private readonly reader: ByteReader;
  /** Reads attribute values at recorded positions without moving the walking reader. */
  private readonly valueReader: ByteReader;
  private readonly slotPos = new Int32Array(SLOTS.length);
  private readonly slotSpec: Array<AttributeSpec | undefined> = new Array(SLOTS.length).fill(undefined);
  private entryOffset = 0;
  private unit!: DwarfUnit;
  private abbrevs!: AbbrevTable;
  private ctx!: FormContext;

  constructor(private readonly sections: DwarfSections, private readonly dies: DieDecoder, private readonly types: TypeResolver,
    private readonly isLoaded: (address: bigint) => boolean, private readonly out: DeclarationScan) {
    this.reader = new ByteReader(sections.info, sections.littleEndian, 0, '.debug_info');
    this.valueReader = new ByteReader(sections.info, sections.littleEndian, 0, '.debug_info');
  }

  scanUnit(header: UnitHeader, cu: CompileUnitInfo): void {
    this.unit = header.unit;
    this.abbrevs = header.abbrevs;
    this.ctx = formContextOf(header.unit);
    this.reader.seek(header.diesStart);
    this.skipEntryAttributes(this.entry()!); // the root, already decoded
    this.scanScope(cu, 0);
  }

  /** Children of the unit or of a namespace (C++, DWARF 5 section 3.2.2), up to the closing null entry. */
  private scanScope(cu: CompileUnitInfo, depth: number): void {
    for (let abbrev = this.nextEntry(); abbrev; abbrev = this.nextEntry()) {
      const tag = abbrev.tag;
      if (tag === DW_TAG.subprogram) this.addFunction(abbrev, cu);
      else if (tag === DW_TAG.variable) { this.addVariable(cu, false); this.skipChildren(abbrev); }
      else if (abbrev.hasChildren && tag === DW_TAG.namespace && depth < MAX_SCOPE_DEPTH) this.scanScope(cu, depth + 1);
      else if (abbrev.hasChildren && (tag === DW_TAG.structure_type || tag === DW_TAG.class_type || tag === DW_TAG.union_type)) {
        this.scanMemberFunctions(cu);
      } else this.skipChildren(abbrev);
    }
  }

  /** Member functions defined inside a class body (others are defined at namespace scope). */
  private scanMemberFunctions(cu: CompileUnitInfo): void {
    for (let abbrev = this.nextEntry(); abbrev; abbrev = this.nextEntry()) {
      if (abbrev.tag === DW_TAG.subprogram) this.addFunction(abbrev, cu);
      else this.skipChildren(abbrev);
    }
  }

  private addFunction(abbrev: Abbreviation, cu: CompileUnitInfo): void {
    const ranges = codeRanges(this.unit, this.value(slot(DW_AT.low_pc)), this.value(slot(DW_AT.high_pc)),
      this.value(slot(DW_AT.ranges)), this.isLoaded);
    if (ranges.length) {
      const d = this.declaration(cu);
      let low = ranges[0].low, high = ranges[0].high;
      for (const r of ranges) { if (r.low < low) low = r.low; if (r.high > high) high = r.high; }
      this.out.functions.push({ name: d.name, external: d.external, ranges, low, high, declFile: d.declFile, declLine: d.declLine, compileUnit: cu });
    }
    if (abbrev.hasChildren) this.scanBody(cu, 0);
  }

  /** A function's body: only its static variables (DW_TAG_variable with a fixed address) are kept. */
  private scanBody(cu: CompileUnitInfo, depth: number): void {
    for (let abbrev = this.nextEntry(); abbrev; abbrev = this.nextEntry()) {
      if (abbrev.tag === DW_TAG.variable && this.hasAddressLocation()) this.addVariable(cu, true);
      if (abbrev.hasChildren && abbrev.tag === DW_TAG.lexical_block && depth < MAX_SCOPE_DEPTH) this.scanBody(cu, depth + 1);
      else this.skipChildren(abbrev);
    }
  }

  private addVariable(cu: CompileUnitInfo, inFunction: boolean): void {
    const location = this.value(slot(DW_AT.location));
    // A pure declaration (extern) at file scope has no storage of its own (DWARF 5 section 4.1).
    if (!location && !inFunction && this.value(slot(DW_AT.declaration))?.kind === 'flag') return;
    if (location?.kind !== 'block') return;
    const place = classifyLocation(location.bytes, this.unit.addressSize, this.sections.littleEndian);
    const address = place.kind === 'address' ? place.address : place.kind === 'addressIndex' ? this.unit.indexedAddress(place.index) : undefined;
    if (address === undefined || !this.isLoaded(address)) return;
    const d = this.declaration(cu);
    const type = d.die ? this.types.typeOf(d.die) : this.types.typeOfValue(this.value(slot(DW_AT.type)));
    this.out.variables.push({ name: d.name, scope: d.external ? 'global' : 'static', address, type, byteSize: type?.byteSize,
      declFile: d.declFile, declLine: d.declLine, compileUnit: cu });
  }

  /**
   * Name and declaration attributes of the current DIE: its own, or when it completes a declaration
   * (DW_AT_specification / DW_AT_abstract_origin) those of the declaration DIE, decoded on demand.
   */
  private declaration(cu: CompileUnitInfo): { name: string; external: boolean; declFile: string | undefined; declLine: number | undefined; die?: Die } {
    const ownName = this.unit.stringOf(this.value(slot(DW_AT.name)));
    const target = dieReferencedBy(this.value(slot(DW_AT.specification)), this.dies) ?? dieReferencedBy(this.value(slot(DW_AT.abstract_origin)), this.dies);
    if (target) {
      const decl = declarationOf(target, this.dies);
      return { name: ownName ?? inheritedString(target, DW_AT.name, this.dies) ?? '', external: decl.attrs.get(DW_AT.external)?.kind === 'flag',
        declFile: sourceFileOf(cu.lineTable, decl.unit.unsignedOf(decl, DW_AT.decl_file)), declLine: decl.unit.unsignedOf(decl, DW_AT.decl_line), die: decl };
    }
    return { name: ownName ?? '', external: this.value(slot(DW_AT.external))?.kind === 'flag',
      declFile: sourceFileOf(cu.lineTable, unsigned(this.value(slot(DW_AT.decl_file)))), declLine: unsigned(this.value(slot(DW_AT.decl_line))) };
  }

  /** Whether the current DIE's DW_AT_location is an expression starting with an address operation. */
  private hasAddressLocation(): boolean {
    const spec = this.slotSpec[slot(DW_AT.location)];
    if (this.slotPos[slot(DW_AT.location)] < 0 || !spec) return false;
    const form = spec.form;
    if (form !== DW_FORM.exprloc && form !== DW_FORM.block && form !== DW_FORM.block1 && form !== DW_FORM.block2 && form !== DW_FORM.block4) return false;
    const value = this.value(slot(DW_AT.location));
    return value?.kind === 'block' && ADDRESS_OPS.has(value.bytes[0]);
  }

  /** The next sibling entry, its attribute positions recorded; undefined at the null entry that ends the list or the unit. */
  private nextEntry(): Abbreviation | undefined {
    if (this.reader.pos >= this.unit.end) return undefined;
    const abbrev = this.entry();
    if (!abbrev) return undefined;
    const r = this.reader, pos = this.slotPos, specs = this.slotSpec;
    pos.fill(-1);
    for (const spec of abbrev.specs) {
      const s = spec.attribute < 0x80 ? SLOT_OF_ATTRIBUTE[spec.attribute] : -1;
      if (s >= 0) { pos[s] = r.pos; specs[s] = spec; }
      skipAttributeValue(r, spec.form, this.ctx);
    }
    if (r.pos > this.unit.end) throw new DebugInfoError('truncated', '.debug_info: DIE runs past its unit', this.entryOffset);
    return abbrev;
  }

  /** Reads an abbreviation code; undefined for a null entry. */
  private entry(): Abbreviation | undefined {
    this.entryOffset = this.reader.pos;
    const code = this.reader.uleb();
    if (code === 0) return undefined;
    const abbrev = this.abbrevs.get(code);
    if (!abbrev) throw new DebugInfoError('malformed', `.debug_info: DIE uses undefined abbreviation code ${code}`, this.entryOffset);
    return abbrev;
  }

  private skipEntryAttributes(abbrev: Abbreviation): void {
    for (const spec of abbrev.specs) skipAttributeValue(this.reader, spec.form, this.ctx);
    if (this.reader.pos > this.unit.end) throw new DebugInfoError('truncated', '.debug_info: DIE runs past its unit', this.entryOffset);
  }

  /** Moves past the current DIE's children: to its DW_AT_sibling when usable (2.3), else entry by entry. */
  private skipChildren(abbrev: Abbreviation): void {
    if (!abbrev.hasChildren) return;
    const sibling = this.value(slot(DW_AT.sibling));
    if (sibling?.kind === 'reference' && sibling.offset > this.reader.pos && sibling.offset <= this.unit.end) {
      this.reader.seek(sibling.offset);
      return;
    }
    let depth = 1;
    while (depth > 0 && this.reader.pos < this.unit.end) {
      const child = this.entry();
      if (!child) { depth--; continue; }
      this.skipEntryAttributes(child);
      if (child.hasChildren) depth++;
    }
  }

  /** The decoded value of a recorded attribute of the current DIE. */
  private value(s: number): AttributeValue | undefined {
    const at = this.slotPos[s];
    if (at < 0) return undefined;
    this.valueReader.pos = at;
    return readAttributeValue(this.valueReader, this.slotSpec[s]!, this.ctx);
  }
}

function unsigned(value: AttributeValue | undefined): number | undefined {
  return value?.kind === 'constant' ? Number(value.value) : undefined;
}
