// Type descriptions built from type DIEs (DWARF 5 section 5): base, pointer, array (with
// subrange bounds/counts), struct/union/class (members with DW_AT_data_member_location), typedef,
// qualifiers and enums, with byte sizes. Resolved lazily and cached, so recursive types terminate.
import * as constants from './constants';
import type { AttributeValue } from './attributeValue';
import type { Die, DieLookup } from './dwarfUnit';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_AT, DW_TAG } = constants;

export type TypeKind = 'base' | 'pointer' | 'array' | 'struct' | 'union' | 'class' | 'enum' | 'typedef'
  | 'const' | 'volatile' | 'restrict' | 'atomic' | 'function' | 'void' | 'other';

export interface TypeMember {
  name: string;
  /** Byte offset from the start of the aggregate (for a bit field: of the byte holding its first bit). */
  offset: number;
  type: TypeInfo | undefined;
  /** Bit fields only: width, and position in bits from the start of the aggregate (DW_AT_data_bit_offset). */
  bitSize?: number;
  bitOffset?: number;
}

export interface Enumerator {
  name: string;
  value: bigint;
}

export interface TypeInfo {
  kind: TypeKind;
  name: string;
  /** Size in bytes; for typedefs/qualifiers the size of what they name; undefined when unknown. */
  byteSize: number | undefined;
  /** Pointee, element, aliased or qualified type. */
  target?: TypeInfo;
  /** Array dimensions (element counts), outermost first; undefined entries are unbounded. */
  dimensions?: Array<number | undefined>;
  members?: TypeMember[];
  enumerators?: Enumerator[];
}

const KIND_OF_TAG: Record<number, TypeKind> = {
  [DW_TAG.base_type]: 'base', [DW_TAG.pointer_type]: 'pointer', [DW_TAG.reference_type]: 'pointer',
  [DW_TAG.array_type]: 'array', [DW_TAG.structure_type]: 'struct', [DW_TAG.union_type]: 'union',
  [DW_TAG.class_type]: 'class', [DW_TAG.enumeration_type]: 'enum', [DW_TAG.typedef]: 'typedef',
  [DW_TAG.const_type]: 'const', [DW_TAG.volatile_type]: 'volatile', [DW_TAG.restrict_type]: 'restrict',
  [DW_TAG.atomic_type]: 'atomic', [DW_TAG.subroutine_type]: 'function',
};

const MAX_TYPE_DEPTH = 256;

export class TypeResolver {
  private readonly cache = new Map<number, TypeInfo>();

  constructor(private readonly dies: DieLookup) {}

  private depth = 0;

  /** The type named by a DIE's DW_AT_type; a missing DW_AT_type means void. */
  typeOf(die: Die): TypeInfo | undefined {
    return this.typeOfValue(die.attrs.get(DW_AT.type));
  }

  /** The type a DW_AT_type value names; undefined (void) when there is no value. */
  typeOfValue(v: AttributeValue | undefined): TypeInfo | undefined {
    if (!v) return undefined;
    if (v.kind !== 'reference') return { kind: 'other', name: '?', byteSize: undefined };
    const target = this.dies.get(v.offset);
    return target ? this.resolve(target) : undefined;
  }

  resolve(die: Die): TypeInfo {
    const cached = this.cache.get(die.offset);
    if (cached) return cached;
    // Real types nest a few dozen levels at most; a deeper chain is corrupt data, not a type.
    if (this.depth > MAX_TYPE_DEPTH) return { kind: 'other', name: '?', byteSize: undefined };
    this.depth++;
    try {
      return this.build(die);
    } finally {
      this.depth--;
    }
  }

  private build(die: Die): TypeInfo {
    const unit = die.unit;
    const kind = KIND_OF_TAG[die.tag] ?? 'other';
    const info: TypeInfo = { kind, name: unit.nameOf(die) ?? '', byteSize: unit.unsignedOf(die, DW_AT.byte_size) };
    this.cache.set(die.offset, info); // before recursing: breaks cycles through pointers
    if (kind !== 'struct' && kind !== 'union' && kind !== 'class' && kind !== 'enum' && kind !== 'base') {
      info.target = this.typeOf(die) ?? (die.attrs.has(DW_AT.type) ? undefined : voidType);
    }
    if (kind === 'pointer') info.byteSize ??= die.unit.addressSize;
    if (kind === 'array') this.fillArray(die, info);
    if (kind === 'struct' || kind === 'union' || kind === 'class') info.members = this.membersOf(die);
    if (kind === 'enum') info.enumerators = enumeratorsOf(die);
    if (info.byteSize === undefined && info.target && kind !== 'array' && kind !== 'function') info.byteSize = info.target.byteSize;
    info.name ||= displayName(info);
    return info;
  }

  private fillArray(die: Die, info: TypeInfo): void {
    const unit = die.unit;
    info.dimensions = die.children.filter((c) => c.tag === DW_TAG.subrange_type).map((sub) => {
      const count = unit.unsignedOf(sub, DW_AT.count);
      if (count !== undefined) return count;
      const upper = sub.attrs.get(DW_AT.upper_bound);
      return upper?.kind === 'constant' ? Number(upper.value) + 1 : undefined;
    });
    const elementSize = info.target?.byteSize;
    if (info.byteSize === undefined && elementSize !== undefined && info.dimensions.every((d) => d !== undefined)) {
      info.byteSize = info.dimensions.reduce<number>((n, d) => n * (d ?? 0), elementSize);
    }
  }

  private membersOf(die: Die): TypeMember[] {
    return die.children.filter((c) => c.tag === DW_TAG.member).map((m) => {
      const unit = m.unit;
      const loc = m.attrs.get(DW_AT.data_member_location);
      const byteOffset = loc?.kind === 'constant' ? Number(loc.value) : loc?.kind === 'block' ? memberOffsetFromExpression(loc.bytes) : 0;
      const member: TypeMember = { name: unit.nameOf(m) ?? '', offset: byteOffset, type: this.typeOf(m) };
      const bitSize = unit.unsignedOf(m, DW_AT.bit_size);
      if (bitSize === undefined) return member;
      member.bitSize = bitSize;
      member.bitOffset = unit.unsignedOf(m, DW_AT.data_bit_offset) ?? legacyBitOffset(m, byteOffset, bitSize, member.type);
      member.offset = Math.floor(member.bitOffset / 8);
      return member;
    });
  }
}

/**
 * DWARF 2-4 DW_AT_bit_offset counts from the most significant bit of a storage unit of
 * DW_AT_byte_size bytes (DWARF 4 section 5.6.6); on little-endian x86 that converts to a
 * data bit offset as below.
 */
function legacyBitOffset(m: Die, byteOffset: number, bitSize: number, type: TypeInfo | undefined): number {
  const storageBytes = m.unit.unsignedOf(m, DW_AT.byte_size) ?? type?.byteSize ?? 4;
  const fromTop = m.unit.unsignedOf(m, DW_AT.bit_offset) ?? 0;
  return byteOffset * 8 + storageBytes * 8 - fromTop - bitSize;
}

function enumeratorsOf(die: Die): Enumerator[] {
  return die.children.filter((c) => c.tag === DW_TAG.enumerator).map((e) => {
    const v = e.attrs.get(DW_AT.const_value);
    return { name: e.unit.nameOf(e) ?? '', value: v?.kind === 'constant' ? v.value : 0n };
  });
}

export const voidType: TypeInfo = { kind: 'void', name: 'void', byteSize: undefined };

/** DWARF 2 style member location: DW_OP_plus_uconst N. */
function memberOffsetFromExpression(bytes: Uint8Array): number {
  if (bytes[0] !== 0x23) return 0;
  let result = 0, shift = 0;
  for (let i = 1; i < bytes.length; i++) {
    result += (bytes[i] & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(bytes[i] & 0x80)) break;
  }
  return result;
}

/** C-like spelling of an anonymous or derived type: "int *", "char [16]", "const int". */
export function displayName(t: TypeInfo): string {
  const inner = t.target ? (t.target.name || displayName(t.target)) : 'void';
  switch (t.kind) {
    case 'pointer': return `${inner} *`;
    case 'array': return `${inner} ${(t.dimensions ?? []).map((d) => `[${d ?? ''}]`).join('')}`;
    case 'const': case 'volatile': case 'restrict': case 'atomic': return `${t.kind === 'atomic' ? '_Atomic' : t.kind} ${inner}`;
    case 'struct': case 'union': case 'class': case 'enum': return `${t.kind} <anonymous>`;
    case 'function': return `${inner} ()`;
    default: return t.name || '?';
  }
}
