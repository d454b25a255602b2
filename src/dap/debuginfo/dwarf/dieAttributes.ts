// Attribute rules shared by the full program model and the declarations-only scan, so both read
// a DIE the same way: the declaration a definition completes (DW_AT_specification, DWARF 5
// section 2.13.2; DW_AT_abstract_origin, section 3.3.8.3), names inherited along that chain, code
// ranges from DW_AT_low_pc/high_pc or DW_AT_ranges (section 2.17) and DW_AT_decl_file (2.14).
import * as constants from './constants';
import type { AttributeValue } from './attributeValue';
import type { Die, DieLookup, DwarfUnit } from './dwarfUnit';
import type { LineTable } from './lineProgram';
import { readRanges, type AddressRange } from './rangeLists';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_AT } = constants;

/** Longest specification / abstract-origin chain followed; real chains have one or two links. */
const MAX_REFERENCE_HOPS = 8;

/** The DIE a reference attribute value points to (reference forms only). */
export function dieReferencedBy(value: AttributeValue | undefined, dies: DieLookup): Die | undefined {
  return value?.kind === 'reference' ? dies.get(value.offset) : undefined;
}

/** Follows DW_AT_specification / DW_AT_abstract_origin from `die` to the DIE holding the declaration. */
export function declarationOf(die: Die, dies: DieLookup): Die {
  let current = die;
  for (let hops = 0; hops < MAX_REFERENCE_HOPS; hops++) {
    const next = nextInChain(current, dies);
    if (!next) return current;
    current = next;
  }
  return current;
}

/** A string attribute from the DIE or, failing that, from its declaration chain. */
export function inheritedString(die: Die, attribute: number, dies: DieLookup): string | undefined {
  let current: Die | undefined = die;
  for (let hops = 0; current && hops < MAX_REFERENCE_HOPS; hops++) {
    const v = current.unit.stringOf(current.attrs.get(attribute));
    if (v !== undefined) return v;
    current = nextInChain(current, dies);
  }
  return undefined;
}

function nextInChain(die: Die, dies: DieLookup): Die | undefined {
  return dieReferencedBy(die.attrs.get(DW_AT.specification), dies) ?? dieReferencedBy(die.attrs.get(DW_AT.abstract_origin), dies);
}

/**
 * Code ranges of a DIE from its DW_AT_low_pc / DW_AT_high_pc (high may be an offset, constant
 * class) or DW_AT_ranges values; empty and discarded (not loaded) ranges are dropped.
 */
export function codeRanges(unit: DwarfUnit, low: AttributeValue | undefined, high: AttributeValue | undefined,
  ranges: AttributeValue | undefined, isLoaded: (address: bigint) => boolean): AddressRange[] {
  const lowPc = unit.addressOf(low);
  if (lowPc !== undefined && high) {
    const highPc = high.kind === 'constant' ? lowPc + high.value : unit.addressOf(high);
    if (highPc !== undefined) return highPc > lowPc && isLoaded(lowPc) ? [{ low: lowPc, high: highPc }] : [];
  }
  if (!ranges) return [];
  // Offset pairs are relative to the unit's DW_AT_low_pc (0 when the unit uses DW_AT_ranges), 2.6.2.
  const base = unit.addressOf(unit.root.attrs.get(DW_AT.low_pc)) ?? 0n;
  return readRanges(unit, ranges, base).filter((r) => r.high > r.low && isLoaded(r.low));
}

/** Path of DW_AT_decl_file / DW_AT_call_file `index` in the unit's line-table file list. */
export function sourceFileOf(lineTable: LineTable | undefined, index: number | undefined): string | undefined {
  return index === undefined ? undefined : lineTable?.files[index]?.path;
}
