// The program as the debugger presents it, extracted from the DIE trees: compile units,
// subprograms (DW_TAG_subprogram, section 3.3), global/static and local variables and parameters
// (DW_TAG_variable / DW_TAG_formal_parameter, section 4.1) with types, declaration positions and
// locations. Follows DW_AT_specification / DW_AT_abstract_origin for names and declarations.
import * as constants from './constants';
import type { AttributeValue } from './attributeValue';
import { parseUnits, type Die, type DieIndex, type DwarfUnit } from './dwarfUnit';
import type { DwarfSections } from './dwarfSections';
import { parseLineTable, type LineTable } from './lineProgram';
import { classifyLocation, type Location } from './locationExpression';
import { readLocationList, type AddressRange, type LocationListEntry } from './rangeLists';
import { codeRanges, declarationOf, inheritedString, sourceFileOf } from './dieAttributes';
import { TypeResolver, type TypeInfo } from './typeInfo';
import { compareAddresses, SortedAddresses } from '../sortedAddresses';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_AT, DW_TAG } = constants;

/** Deepest nesting of blocks and inlined calls followed inside one function. */
const MAX_SCOPE_DEPTH = 256;

export interface CompileUnitInfo {
  name: string;
  compDir: string;
  producer: string;
  language: number | undefined;
  version: number;
  ranges: AddressRange[];
  lineTable: LineTable | undefined;
  unit: DwarfUnit;
}

export type VariableScope = 'global' | 'static' | 'local' | 'parameter';

export interface VariableInfo {
  name: string;
  scope: VariableScope;
  type: TypeInfo | undefined;
  /** Bytes the variable occupies (its type's size), when known. */
  byteSize: number | undefined;
  declFile: string | undefined;
  declLine: number | undefined;
  /** Fixed address of a global or static variable (DW_OP_addr / DW_OP_addrx). */
  address: bigint | undefined;
  /** Single location expression, classified; undefined when the variable has none (optimized out). */
  location: Location | undefined;
  /** Location list (pc ranges -> expressions) when the location varies across the function. */
  locationList: LocationListEntry[] | undefined;
  /** DW_AT_const_value: the compiler folded the variable to this constant (bytes for blocks). */
  constantValue: bigint | Uint8Array | undefined;
  /** For locals declared in a nested block: that block's code ranges (DW_TAG_lexical_block, 3.5). */
  scopeRanges?: AddressRange[];
  compileUnit: CompileUnitInfo;
}

/** A DW_TAG_inlined_subroutine (DWARF 5 section 3.3.8.2): code of `name` inlined at a call site. */
export interface InlinedCall {
  name: string;
  ranges: AddressRange[];
  /** The call site, in the code of the enclosing (possibly itself inlined) function. */
  callFile: string | undefined;
  callLine: number | undefined;
  callColumn: number | undefined;
  /** 1 for calls inlined directly into the subprogram, 2 for calls inside those, ... */
  depth: number;
}

export interface SubprogramInfo {
  name: string;
  linkageName: string | undefined;
  /** Code ranges of this concrete instance; empty for declarations and abstract inline instances. */
  ranges: AddressRange[];
  low: bigint | undefined;
  high: bigint | undefined;
  frameBase: Location | undefined;
  declFile: string | undefined;
  declLine: number | undefined;
  external: boolean;
  parameters: VariableInfo[];
  locals: VariableInfo[];
  /** Inlined calls within this subprogram's code, outermost first. */
  inlined: InlinedCall[];
  compileUnit: CompileUnitInfo;
}

export class ProgramModel {
  readonly compileUnits: CompileUnitInfo[] = [];
  readonly subprograms: SubprogramInfo[] = [];
  /** Global and file/function-static variables with a fixed address, sorted by address. */
  readonly globals: VariableInfo[] = [];
  readonly types: TypeResolver;
  private readonly dies: DieIndex;
  private codeRanges?: { ranges: Array<AddressRange & { subprogram: SubprogramInfo }>; starts: SortedAddresses };
  private readonly globalStarts: SortedAddresses;

  /**
   * `isLoaded` tells whether an address is part of the loaded image; code and data the linker
   * discarded (gc-sections) keep DWARF with addresses resolved to 0, which are dropped here.
   */
  constructor(sections: DwarfSections, private readonly isLoaded: (address: bigint) => boolean = () => true) {
    const { units, dies } = parseUnits(sections);
    this.dies = dies;
    this.types = new TypeResolver(dies);
    for (const unit of units) this.addUnit(unit, sections);
    this.globals.sort((a, b) => compareAddresses(a.address!, b.address!));
    this.globalStarts = new SortedAddresses(this.globals.map((g) => g.address!));
  }

  /** The concrete subprogram whose code contains `pc` (binary search over all code ranges). */
  subprogramAt(pc: bigint): SubprogramInfo | undefined {
    if (!this.codeRanges) {
      const all = this.subprograms.flatMap((s) => s.ranges.map((r) => ({ ...r, subprogram: s }))).sort((a, b) => compareAddresses(a.low, b.low));
      this.codeRanges = { ranges: all, starts: new SortedAddresses(all.map((r) => r.low)) };
    }
    const { ranges, starts } = this.codeRanges;
    const found = starts.lastAtOrBefore(pc);
    for (let i = found; i >= 0 && i > found - 8; i--) if (pc < ranges[i].high) return ranges[i].subprogram;
    return undefined;
  }

  /** Parameters and the locals in scope at `pc` (block-scoped locals only inside their block). */
  variablesInScopeAt(pc: bigint): VariableInfo[] {
    const s = this.subprogramAt(pc);
    if (!s) return [];
    const inScope = (v: VariableInfo) => !v.scopeRanges || v.scopeRanges.some((r) => pc >= r.low && pc < r.high);
    return [...s.parameters, ...s.locals.filter(inScope)];
  }

  subprogramsNamed(name: string): SubprogramInfo[] {
    return this.subprograms.filter((s) => s.name === name && s.ranges.length > 0);
  }

  /** The global/static variable whose storage contains `address` (binary search). */
  globalAt(address: bigint): VariableInfo | undefined {
    const found = this.globalStarts.lastAtOrBefore(address);
    for (let i = found; i >= 0 && i > found - 8; i--) {
      const g = this.globals[i];
      if (address < g.address! + BigInt(Math.max(1, g.byteSize ?? 1))) return g;
    }
    return undefined;
  }

  /** Variables (any scope) declared at (file, line): "which memory does this declaration name". */
  variablesDeclaredAt(path: string, line: number): VariableInfo[] {
    const matches = (v: VariableInfo) => v.declLine === line && v.declFile !== undefined
      && (v.declFile === path || v.declFile.endsWith(path.startsWith('/') ? path : `/${path}`));
    const out = this.globals.filter(matches);
    for (const s of this.subprograms) out.push(...s.parameters.filter(matches), ...s.locals.filter(matches));
    return out;
  }

  private addUnit(unit: DwarfUnit, sections: DwarfSections): void {
    const cu = describeCompileUnit(unit, sections, this.isLoaded);
    if (!cu) return;
    this.compileUnits.push(cu);
    for (const child of unit.root.children) this.visitTopLevel(child, cu);
  }

  private visitTopLevel(die: Die, cu: CompileUnitInfo, depth = 0): void {
    if (die.tag === DW_TAG.subprogram) this.addSubprogram(die, cu);
    else if (die.tag === DW_TAG.variable) {
      const v = this.variable(die, cu, undefined);
      if (v?.address !== undefined && this.isLoaded(v.address)) this.globals.push(v);
    } else if (die.tag === DW_TAG.structure_type || die.tag === DW_TAG.class_type || die.tag === DW_TAG.union_type) {
      for (const c of die.children) if (c.tag === DW_TAG.subprogram) this.addSubprogram(c, cu);
    } else if (die.tag === DW_TAG.namespace && depth < MAX_SCOPE_DEPTH) {
      for (const c of die.children) this.visitTopLevel(c, cu, depth + 1); // C++ namespaces (DWARF 5 section 3.2.2)
    }
  }

  private addSubprogram(die: Die, cu: CompileUnitInfo): void {
    const unit = die.unit;
    const origin = declarationOf(die, this.dies);
    const ranges = this.rangesOf(die);
    const frameBaseAttr = die.attrs.get(DW_AT.frame_base);
    const s: SubprogramInfo = {
      name: inheritedString(die, DW_AT.name, this.dies) ?? '', ranges,
      linkageName: inheritedString(die, DW_AT.linkage_name, this.dies) ?? inheritedString(die, DW_AT.MIPS_linkage_name, this.dies),
      low: ranges.length ? ranges.reduce((m, r) => (r.low < m ? r.low : m), ranges[0].low) : undefined,
      high: ranges.length ? ranges.reduce((m, r) => (r.high > m ? r.high : m), ranges[0].high) : undefined,
      frameBase: frameBaseAttr?.kind === 'block' ? classifyLocation(frameBaseAttr.bytes, unit.addressSize, unit.sections.littleEndian) : undefined,
      declFile: sourceFileOf(cu.lineTable, origin.unit.unsignedOf(origin, DW_AT.decl_file)), declLine: origin.unit.unsignedOf(origin, DW_AT.decl_line),
      external: origin.attrs.get(DW_AT.external)?.kind === 'flag', parameters: [], locals: [], inlined: [], compileUnit: cu,
    };
    this.collectLocals(die, s, cu);
    if (ranges.length) this.collectInlined(die, s, cu, 1);
    s.inlined.sort((a, b) => a.depth - b.depth);
    this.subprograms.push(s);
  }

  private collectLocals(die: Die, s: SubprogramInfo, cu: CompileUnitInfo, depth = 0, scope?: AddressRange[]): void {
    if (depth > MAX_SCOPE_DEPTH) return; // deeper block nesting only occurs in corrupt data
    for (const child of die.children) {
      if (child.tag === DW_TAG.formal_parameter || child.tag === DW_TAG.variable) {
        const v = this.variable(child, cu, child.tag === DW_TAG.formal_parameter ? 'parameter' : 'local');
        if (!v) continue;
        if (scope) v.scopeRanges = scope;
        if (v.scope === 'parameter') s.parameters.push(v);
        else if (v.scope === 'local') s.locals.push(v);
        else if (v.address !== undefined && this.isLoaded(v.address)) this.globals.push(v); // function-static
      } else if (child.tag === DW_TAG.lexical_block) {
        const ranges = this.rangesOf(child);
        this.collectLocals(child, s, cu, depth + 1, ranges.length ? ranges : scope);
      }
    }
  }

  /** Inlined calls under `die` (through lexical blocks and nested inlines). */
  private collectInlined(die: Die, s: SubprogramInfo, cu: CompileUnitInfo, depth: number, nesting = 0): void {
    if (nesting > MAX_SCOPE_DEPTH) return;
    for (const child of die.children) {
      if (child.tag === DW_TAG.inlined_subroutine) {
        const unit = child.unit;
        s.inlined.push({
          name: inheritedString(child, DW_AT.name, this.dies) ?? '', ranges: this.rangesOf(child),
          callFile: sourceFileOf(cu.lineTable, unit.unsignedOf(child, DW_AT.call_file)),
          callLine: unit.unsignedOf(child, DW_AT.call_line), callColumn: unit.unsignedOf(child, DW_AT.call_column), depth,
        });
        this.collectInlined(child, s, cu, depth + 1, nesting + 1);
      } else if (child.tag === DW_TAG.lexical_block) this.collectInlined(child, s, cu, depth, nesting + 1);
    }
  }

  /** A variable DIE as VariableInfo; undefined for pure declarations (extern) with no location. */
  private variable(die: Die, cu: CompileUnitInfo, inFunction: 'parameter' | 'local' | undefined): VariableInfo | undefined {
    const unit = die.unit;
    const decl = declarationOf(die, this.dies);
    const locAttr = die.attrs.get(DW_AT.location);
    if (!locAttr && die.attrs.get(DW_AT.declaration)?.kind === 'flag' && inFunction === undefined) return undefined;
    let location: Location | undefined;
    let locationList: LocationListEntry[] | undefined;
    if (locAttr?.kind === 'block') location = classifyLocation(locAttr.bytes, unit.addressSize, unit.sections.littleEndian);
    else if (locAttr) locationList = this.locationList(unit, locAttr);
    let address: bigint | undefined;
    if (location?.kind === 'address') address = location.address;
    else if (location?.kind === 'addressIndex') address = unit.indexedAddress(location.index);
    const external = decl.attrs.get(DW_AT.external)?.kind === 'flag';
    const scope: VariableScope = inFunction === 'parameter' ? 'parameter'
      : address !== undefined ? (external ? 'global' : 'static') : inFunction ?? 'global';
    const type = this.types.typeOf(decl);
    const constant = die.attrs.get(DW_AT.const_value) ?? decl.attrs.get(DW_AT.const_value);
    const constantValue = constant?.kind === 'constant' ? constant.value : constant?.kind === 'block' ? constant.bytes : undefined;
    return {
      name: inheritedString(die, DW_AT.name, this.dies) ?? '', scope, type, byteSize: type?.byteSize,
      declFile: sourceFileOf(cu.lineTable, decl.unit.unsignedOf(decl, DW_AT.decl_file)), declLine: decl.unit.unsignedOf(decl, DW_AT.decl_line),
      address, location, locationList, constantValue, compileUnit: cu,
    };
  }

  private locationList(unit: DwarfUnit, value: AttributeValue): LocationListEntry[] | undefined {
    if (value.kind === 'constant' && unit.version < 4) value = { kind: 'sectionOffset', value: Number(value.value) };
    if (value.kind !== 'sectionOffset' && value.kind !== 'loclistIndex') return undefined;
    // The base of offset pairs is the unit's DW_AT_low_pc (0 when the unit uses DW_AT_ranges), 2.6.2.
    return readLocationList(unit, value, unit.addressOf(unit.root.attrs.get(DW_AT.low_pc)) ?? 0n);
  }

  private rangesOf(die: Die): AddressRange[] {
    return codeRanges(die.unit, die.attrs.get(DW_AT.low_pc), die.attrs.get(DW_AT.high_pc), die.attrs.get(DW_AT.ranges), this.isLoaded);
  }
}

/** A compile (or partial) unit's name, directories, producer and line table, from its root DIE. */
export function describeCompileUnit(unit: DwarfUnit, sections: DwarfSections,
  isLoaded: (address: bigint) => boolean): CompileUnitInfo | undefined {
  const root = unit.root;
  if (root.tag !== DW_TAG.compile_unit && root.tag !== DW_TAG.partial_unit) return undefined;
  const compDir = unit.stringOf(root.attrs.get(DW_AT.comp_dir)) ?? '';
  const stmtList = root.attrs.get(DW_AT.stmt_list);
  const lineOffset = stmtList?.kind === 'sectionOffset' ? stmtList.value : stmtList?.kind === 'constant' ? Number(stmtList.value) : undefined;
  return {
    name: unit.nameOf(root) ?? '', compDir, producer: unit.stringOf(root.attrs.get(DW_AT.producer)) ?? '',
    language: unit.unsignedOf(root, DW_AT.language), version: unit.version,
    ranges: codeRanges(unit, root.attrs.get(DW_AT.low_pc), root.attrs.get(DW_AT.high_pc), root.attrs.get(DW_AT.ranges), isLoaded),
    lineTable: lineOffset === undefined ? undefined : parseLineTable(sections, lineOffset, compDir, unit.addressSize), unit,
  };
}
