// Type descriptions built from type DIEs (DWARF 5 section 5): base, pointer, array (with
// subrange bounds/counts), struct/union/class (members with DW_AT_data_member_location), typedef,
// qualifiers and enums, with byte sizes. Resolved lazily and cached, so recursive types terminate.
import * as constants from './constants';
import type { Die, DieIndex } from './dwarfUnit';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_AT, DW_TAG } = constants;

export type TypeKind = 'base' | 'pointer' | 'array' | 'struct' | 'union' | 'class' | 'enum' | 'typedef'
  | 'const' | 'volatile' | 'restrict' | 'atomic' | 'function' | 'void' | 'other';

export interface TypeMember {
  name: string;
  offset: number;
  type: TypeInfo | undefined;
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
}

const KIND_OF_TAG: Record<number, TypeKind> = {
  [DW_TAG.base_type]: 'base', [DW_TAG.pointer_type]: 'pointer', [DW_TAG.reference_type]: 'pointer',
  [DW_TAG.array_type]: 'array', [DW_TAG.structure_type]: 'struct', [DW_TAG.union_type]: 'union',
  [DW_TAG.class_type]: 'class', [DW_TAG.enumeration_type]: 'enum', [DW_TAG.typedef]: 'typedef',
  [DW_TAG.const_type]: 'const', [DW_TAG.volatile_type]: 'volatile', [DW_TAG.restrict_type]: 'restrict',
  [DW_TAG.atomic_type]: 'atomic', [DW_TAG.subroutine_type]: 'function',
};

export class TypeResolver {
  private readonly cache = new Map<number, TypeInfo>();

  constructor(private readonly dies: DieIndex) {}

  /** The type named by a DIE's DW_AT_type; a missing DW_AT_type means void. */
  typeOf(die: Die): TypeInfo | undefined {
    const v = die.attrs.get(DW_AT.type);
    if (!v) return undefined;
    if (v.kind !== 'reference') return { kind: 'other', name: '?', byteSize: undefined };
    const target = this.dies.get(v.offset);
    return target ? this.resolve(target) : undefined;
  }

  resolve(die: Die): TypeInfo {
    const cached = this.cache.get(die.offset);
    if (cached) return cached;
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
    const unit = die.unit;
    return die.children.filter((c) => c.tag === DW_TAG.member).map((m) => {
      const loc = m.attrs.get(DW_AT.data_member_location);
      const bit = unit.unsignedOf(m, DW_AT.data_bit_offset);
      const offset = loc?.kind === 'constant' ? Number(loc.value) : loc?.kind === 'block' ? memberOffsetFromExpression(loc.bytes) : bit !== undefined ? Math.floor(bit / 8) : 0;
      return { name: unit.nameOf(m) ?? '', offset, type: this.typeOf(m) };
    });
  }
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
