// The little language in which every KVMI wire structure is written down as data: scalar and array
// field types, explicit padding, nested structs and a trailing variable-length array. `struct()` lays
// the fields out with x86_64 natural alignment (SysV psABI §3.1.2: each member at a multiple of its
// alignment, size rounded to the largest member alignment) and refuses any definition whose computed
// size differs from the declared one or which would need an implicit hole.
import { KvmiLayoutError } from './errors';

export type ScalarKind = 'u8' | 'u16' | 'u32' | 'u64' | 's32' | 's64';

const SCALAR_SIZE: Record<ScalarKind, number> = { u8: 1, u16: 2, u32: 4, u64: 8, s32: 4, s64: 8 };

/** A scalar field type; T is the TypeScript value type (number, or bigint for 64-bit). */
export interface ScalarType<T, K extends ScalarKind = ScalarKind> {
  readonly kind: 'scalar';
  readonly scalar: K;
  readonly size: number;
  readonly align: number;
  /** Phantom: never set at run time. */
  readonly __value?: T;
}

/** A fixed-length array of scalars; u8 arrays are exposed as Uint8Array. */
export interface ArrayType<T> {
  readonly kind: 'array';
  readonly elem: ScalarKind;
  readonly length: number;
  readonly size: number;
  readonly align: number;
  readonly __value?: T;
}

/** A nested structure type, i.e. a complete layout. */
export interface StructLayout<T = unknown> {
  readonly kind: 'struct';
  /** The C tag (e.g. "kvm_regs"); for an anonymous C struct, a descriptive name. */
  readonly name: string;
  /** True when the C struct has no tag and exists only as a member of another struct. */
  readonly anonymous: boolean;
  readonly size: number;
  readonly align: number;
  readonly fields: readonly LaidOutField[];
  readonly tail: TailSpec | undefined;
  readonly __value?: T;
}

export type FieldType = ScalarType<unknown> | ArrayType<unknown> | StructLayout;

/** A field placed at its offset. Padding fields must be zero on the wire and are absent from values. */
export interface LaidOutField {
  readonly name: string;
  readonly type: FieldType;
  readonly offset: number;
  readonly pad: boolean;
}

/** A trailing flexible array (C `T name[]`), whose element count comes from a field or from the message length. */
export interface TailSpec {
  readonly name: string;
  readonly elem: ScalarType<unknown> | StructLayout;
  readonly offset: number;
  /** Dotted path of the count field in the fixed part, or 'rest' for "as many as the message holds". */
  readonly count: string;
  /** Member path in C when the flexible array sits inside a nested struct (e.g. "msrs.entries"). */
  readonly cPath: string;
}

/** Marks a field spec as padding. */
export interface PadSpec<F extends FieldType> {
  readonly padding: F;
}

type FieldSpec = FieldType | PadSpec<FieldType>;
type FieldSpecs = Record<string, FieldSpec>;

type ValueOf<F> = F extends { readonly __value?: infer T } ? T : never;

/** The TypeScript value of a struct with these fields: padding fields left out. */
export type StructValue<S extends FieldSpecs> = {
  -readonly [K in keyof S as S[K] extends PadSpec<FieldType> ? never : K]: ValueOf<S[K]>;
};

/** The value type described by a layout. */
export type ValueOfLayout<L> = L extends StructLayout<infer T> ? T : never;

function scalar<T, K extends ScalarKind>(kind: K): ScalarType<T, K> {
  return { kind: 'scalar', scalar: kind, size: SCALAR_SIZE[kind], align: SCALAR_SIZE[kind] };
}

export const u8 = scalar<number, 'u8'>('u8');
export const u16 = scalar<number, 'u16'>('u16');
export const u32 = scalar<number, 'u32'>('u32');
export const s32 = scalar<number, 's32'>('s32');
export const u64 = scalar<bigint, 'u64'>('u64');
export const s64 = scalar<bigint, 's64'>('s64');

type Tuple<T, N extends number, Acc extends T[] = []> = Acc['length'] extends N ? Acc : Tuple<T, N, [...Acc, T]>;
type SmallLength = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
type ArrayValue<T, N extends number> = N extends SmallLength ? Tuple<T, N> : T[];

/** `T name[length]` for u16/u32/u64 elements; small arrays are typed as tuples. */
export function array<T, N extends number>(elem: ScalarType<T>, length: N): ArrayType<ArrayValue<T, N>> {
  return { kind: 'array', elem: elem.scalar, length, size: elem.size * length, align: elem.align };
}

/** `__u8 name[length]` (or `char name[length]`), exposed as a Uint8Array. */
export function bytes(length: number): ArrayType<Uint8Array> {
  return { kind: 'array', elem: 'u8', length, size: length, align: 1 };
}

/** A padding member: must be zero on the wire; never part of a value. */
export function pad<F extends FieldType>(type: F): PadSpec<F> {
  return { padding: type };
}

function isPad(spec: FieldSpec): spec is PadSpec<FieldType> {
  return 'padding' in spec && !('kind' in spec);
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Optional trailing flexible array of a struct. */
export interface TailOptions<E extends ScalarType<unknown> | StructLayout> {
  name: string;
  elem: E;
  count: string;
  cPath?: string;
}

type TailValue<E> = E extends StructLayout<infer T> ? T[] : E extends ScalarType<infer T> ? (T extends number ? number[] : T[]) : never;
type BytesTail<E> = E extends ScalarType<unknown, 'u8'> ? true : false;

/**
 * Lays out a struct. `declaredSize` is the sizeof the reference gives; a mismatch, or a field that
 * would need a compiler-inserted hole, throws KvmiLayoutError at module load.
 */
export function struct<S extends FieldSpecs>(
  name: string, declaredSize: number, specs: S, opts: { anonymous?: boolean; flexibleAlign?: number } = {},
): StructLayout<StructValue<S>> {
  const fields: LaidOutField[] = [];
  let offset = 0;
  let align = 1;
  for (const [fieldName, spec] of Object.entries(specs)) {
    const type = isPad(spec) ? spec.padding : spec;
    const at = alignUp(offset, type.align);
    if (at !== offset) {
      throw new KvmiLayoutError(`${name}.${fieldName}: needs ${at - offset} implicit padding byte(s) at ${offset}; declare them`);
    }
    fields.push({ name: fieldName, type, offset, pad: isPad(spec) });
    offset += type.size;
    align = Math.max(align, type.align);
  }
  // A C flexible array member that the value does not carry still raises the struct's alignment.
  align = Math.max(align, opts.flexibleAlign ?? 1);
  const size = alignUp(offset, align);
  if (size !== offset) throw new KvmiLayoutError(`${name}: ${size - offset} implicit trailing padding byte(s); declare them`);
  if (size !== declaredSize) throw new KvmiLayoutError(`${name}: computed size ${size}, declared ${declaredSize}`);
  return { kind: 'struct', name, anonymous: opts.anonymous ?? false, size, align, fields, tail: undefined };
}

/** A struct followed by a flexible array member; the tail value is added to the struct's value type. */
export function withTail<T, E extends ScalarType<unknown> | StructLayout, K extends string>(
  layout: StructLayout<T>, tail: TailOptions<E> & { name: K },
): StructLayout<T & { [P in K]: BytesTail<E> extends true ? Uint8Array : TailValue<E> }> {
  const offset = alignUp(layout.size, tail.elem.align);
  if (offset !== layout.size) throw new KvmiLayoutError(`${layout.name}.${tail.name}: tail is not at the end of the fixed part`);
  if (tail.count !== 'rest' && !findField(layout, tail.count)) {
    throw new KvmiLayoutError(`${layout.name}.${tail.name}: count field ${tail.count} does not exist`);
  }
  // The flexible array member counts towards the struct's alignment (C11 6.7.2.1p18); sizeof must not grow.
  const align = Math.max(layout.align, tail.elem.align);
  if (layout.size % align !== 0) throw new KvmiLayoutError(`${layout.name}: tail alignment ${align} would pad the fixed part`);
  const spec: TailSpec = { name: tail.name, elem: tail.elem, offset, count: tail.count, cPath: tail.cPath ?? tail.name };
  return { kind: 'struct', name: layout.name, anonymous: layout.anonymous, size: layout.size, align, fields: layout.fields, tail: spec };
}

/** Finds a (possibly nested) field by dotted path, with its absolute offset. */
export function findField(layout: StructLayout, path: string): { field: LaidOutField; offset: number } | undefined {
  let current: StructLayout = layout;
  let base = 0;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    const field = current.fields.find((f) => f.name === parts[i]);
    if (!field) return undefined;
    if (i === parts.length - 1) return { field, offset: base + field.offset };
    if (field.type.kind !== 'struct') return undefined;
    base += field.offset;
    current = field.type;
  }
  return undefined;
}
