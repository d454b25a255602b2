// The one generic encoder/decoder of KVMI structures, driven entirely by the layout data of
// layoutDsl.ts: little-endian scalars at their laid-out offsets (KVMI reference "Conventions"),
// padding written as zero and checked on decode, nested structs and a trailing flexible array.
// Decoding never reads outside the given bytes; callers zero-fill short bodies first where the
// protocol allows it (reference §2.1 "Size compatibility"). The fixed part of each struct is read,
// written and padding-checked by code generated from the same layout data (compiledLayout.ts); the
// field-by-field functions below remain the path that checks a value and names what is wrong.
import { KVMI_ERR } from './constants';
import { KvmiDecodeError, KvmiEncodeError } from './errors';
import type { FieldType, ScalarKind, StructLayout, TailSpec } from './layoutDsl';
import { findField } from './layoutDsl';
import { compiledLayout } from './compiledLayout';

const SCALAR_SIZE: Record<ScalarKind, number> = { u8: 1, u16: 2, u32: 4, u64: 8, s32: 4, s64: 8 };
const NUMBER_RANGE: Partial<Record<ScalarKind, [number, number]>> = {
  u8: [0, 0xff], u16: [0, 0xffff], u32: [0, 0xffff_ffff], s32: [-0x8000_0000, 0x7fff_ffff],
};
const BIGINT_RANGE: Partial<Record<ScalarKind, [bigint, bigint]>> = {
  u64: [0n, 0xffff_ffff_ffff_ffffn], s64: [-(1n << 63n), (1n << 63n) - 1n],
};

// Encoders name only the failing leaf; each enclosing level prefixes its own name while the error
// propagates, so no path strings are built on the success path.
function writeScalar(view: DataView, at: number, kind: ScalarKind, value: unknown, name: string): void {
  const bigRange = BIGINT_RANGE[kind];
  if (bigRange) {
    if (typeof value !== 'bigint') throw new KvmiEncodeError(name, `expected a bigint for ${kind}, got ${typeof value}`);
    if (value < bigRange[0] || value > bigRange[1]) throw new KvmiEncodeError(name, `${value} does not fit ${kind}`);
    if (kind === 'u64') view.setBigUint64(at, value, true); else view.setBigInt64(at, value, true);
    return;
  }
  const range = NUMBER_RANGE[kind]!;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new KvmiEncodeError(name, `expected an integer for ${kind}, got ${String(value)}`);
  if (value < range[0] || value > range[1]) throw new KvmiEncodeError(name, `${value} does not fit ${kind}`);
  switch (kind) {
    case 'u8': view.setUint8(at, value); break;
    case 'u16': view.setUint16(at, value, true); break;
    case 'u32': view.setUint32(at, value, true); break;
    default: view.setInt32(at, value, true); break;
  }
}

function readScalar(view: DataView, at: number, kind: ScalarKind): number | bigint {
  switch (kind) {
    case 'u8': return view.getUint8(at);
    case 'u16': return view.getUint16(at, true);
    case 'u32': return view.getUint32(at, true);
    case 's32': return view.getInt32(at, true);
    case 'u64': return view.getBigUint64(at, true);
    case 's64': return view.getBigInt64(at, true);
  }
}

function asRecord(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw new KvmiEncodeError(path, 'expected an object');
  return value as Record<string, unknown>;
}

function writeField(view: DataView, at: number, type: FieldType, value: unknown, name: string): void {
  if (type.kind === 'scalar') return writeScalar(view, at, type.scalar, value, name);
  if (type.kind === 'struct') {
    const record = asRecord(value, name);
    try {
      return writeFixed(view, at, type, record);
    } catch (e) {
      throw e instanceof KvmiEncodeError ? e.within(name) : e;
    }
  }
  if (type.elem === 'u8') {
    if (!(value instanceof Uint8Array)) throw new KvmiEncodeError(name, 'expected a Uint8Array');
    if (value.length !== type.length) throw new KvmiEncodeError(name, `expected ${type.length} bytes, got ${value.length}`);
    new Uint8Array(view.buffer, view.byteOffset + at, type.length).set(value);
    return;
  }
  if (!Array.isArray(value)) throw new KvmiEncodeError(name, `expected an array of ${type.length} ${type.elem}`);
  if (value.length !== type.length) throw new KvmiEncodeError(name, `expected ${type.length} elements, got ${value.length}`);
  const step = SCALAR_SIZE[type.elem];
  for (let i = 0; i < value.length; i++) writeScalar(view, at + i * step, type.elem, value[i], `${name}[${i}]`);
}

/** Writes every field but padding (the buffer is zero-filled: padding stays 0), through compiledLayout.ts. */
function writeFixed(view: DataView, at: number, layout: StructLayout, value: Record<string, unknown>): void {
  compiledLayout(layout, writeField).write(view, at, value);
}

function readField(view: DataView, at: number, type: FieldType): unknown {
  if (type.kind === 'scalar') return readScalar(view, at, type.scalar);
  if (type.kind === 'struct') return readFixed(view, at, type);
  if (type.elem === 'u8') return new Uint8Array(view.buffer, view.byteOffset + at, type.length).slice();
  const step = SCALAR_SIZE[type.elem];
  return Array.from({ length: type.length }, (_, i) => readScalar(view, at + i * step, type.elem));
}

/** Reads every field but padding, through compiledLayout.ts. */
function readFixed(view: DataView, at: number, layout: StructLayout): Record<string, unknown> {
  return compiledLayout(layout, writeField).read(view, at);
}

function elemSize(tail: TailSpec): number {
  return tail.elem.size;
}

function tailValueLength(tail: TailSpec, value: unknown, path: string): number {
  if (tail.elem.kind === 'scalar' && tail.elem.scalar === 'u8') {
    if (!(value instanceof Uint8Array)) throw new KvmiEncodeError(path, 'expected a Uint8Array');
    return value.length;
  }
  if (!Array.isArray(value)) throw new KvmiEncodeError(path, 'expected an array');
  return value.length;
}

/** Reads the (possibly nested) numeric count field named by a tail spec. */
function readCount(view: DataView, at: number, layout: StructLayout, countPath: string): number {
  const found = findField(layout, countPath)!;
  return Number(readField(view, at + found.offset, found.field.type));
}

/** Size in bytes of an encoded value (fixed part plus its tail). */
export function encodedSize(layout: StructLayout, value: unknown): number {
  if (!layout.tail) return layout.size;
  const tailValue = asRecord(value, layout.name)[layout.tail.name];
  return layout.tail.offset + tailValueLength(layout.tail, tailValue, `${layout.name}.${layout.tail.name}`) * elemSize(layout.tail);
}

/**
 * Encodes a value into a fresh buffer. A tail's count field must agree with the tail's length.
 * Throws KvmiEncodeError naming the field for any value that does not fit.
 */
export function encodeStruct<T>(layout: StructLayout<T>, value: T): Uint8Array {
  const out = new Uint8Array(encodedSize(layout, value));
  encodeStructInto(layout, value, out, 0);
  return out;
}

/** Encodes into `out` at `offset`, zeroing the struct's bytes first so that padding is 0. */
export function encodeStructInto<T>(layout: StructLayout<T>, value: T, out: Uint8Array, offset: number): void {
  const record = asRecord(value, layout.name);
  const size = encodedSize(layout, value);
  if (!Number.isInteger(offset) || offset < 0 || out.length - offset < size) {
    throw new KvmiEncodeError(layout.name, `needs ${size} bytes at offset ${offset} of a ${out.length}-byte buffer`);
  }
  out.fill(0, offset, offset + size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  try {
    writeFixed(view, offset, layout, record);
  } catch (e) {
    throw e instanceof KvmiEncodeError ? e.within(layout.name) : e;
  }
  const tail = layout.tail;
  if (!tail) return;
  const path = `${layout.name}.${tail.name}`;
  const tailValue = record[tail.name];
  const length = tailValueLength(tail, tailValue, path);
  if (tail.count !== 'rest') {
    const count = readCount(view, offset, layout, tail.count);
    if (count !== length) throw new KvmiEncodeError(`${layout.name}.${tail.count}`, `is ${count} but ${tail.name} has ${length} element(s)`);
  }
  const at = offset + tail.offset;
  if (tailValue instanceof Uint8Array) { out.set(tailValue, at); return; }
  const elements = tailValue as unknown[];
  for (let i = 0; i < elements.length; i++) {
    try {
      writeField(view, at + i * elemSize(tail), tail.elem, elements[i], `${tail.name}[${i}]`);
    } catch (e) {
      throw e instanceof KvmiEncodeError ? e.within(layout.name) : e;
    }
  }
}

/**
 * Bytes a struct occupies in `bytes` at `offset`: the fixed size plus the tail its count field asks
 * for ('rest' tails take every whole element available). The fixed part must be present.
 */
export function requiredSize(layout: StructLayout, bytes: Uint8Array, offset = 0): number {
  const tail = layout.tail;
  if (!tail) return layout.size;
  if (tail.count === 'rest') {
    const available = Math.max(0, bytes.length - offset - tail.offset);
    return tail.offset + Math.floor(available / elemSize(tail)) * elemSize(tail);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return tail.offset + readCount(view, offset, layout, tail.count) * elemSize(tail);
}

/**
 * Decodes a struct (and its tail) at `offset`. Throws KvmiDecodeError (-KVM_EINVAL) rather than read
 * past the end of `bytes`; padding is not checked here (see firstNonZeroPadding).
 */
export function decodeStruct<T>(layout: StructLayout<T>, bytes: Uint8Array, offset = 0): T {
  if (offset < 0 || bytes.length - offset < layout.size) {
    throw new KvmiDecodeError(`${layout.name}: needs ${layout.size} bytes, has ${Math.max(0, bytes.length - offset)}`,
      { code: KVMI_ERR.EINVAL, hard: false, field: layout.name });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const value = readFixed(view, offset, layout);
  const tail = layout.tail;
  if (tail) {
    const needed = requiredSize(layout, bytes, offset);
    if (bytes.length - offset < needed) {
      throw new KvmiDecodeError(`${layout.name}.${tail.name}: needs ${needed} bytes, has ${bytes.length - offset}`,
        { code: KVMI_ERR.EINVAL, hard: false, field: `${tail.name}` });
    }
    const count = (needed - tail.offset) / elemSize(tail);
    const at = offset + tail.offset;
    value[tail.name] = tail.elem.kind === 'scalar' && tail.elem.scalar === 'u8'
      ? bytes.slice(at, at + count)
      : Array.from({ length: count }, (_, i) => readField(view, at + i * elemSize(tail), tail.elem));
  }
  return value as T;
}

function paddingIn(bytes: Uint8Array, at: number, layout: StructLayout, prefix: string): string | undefined {
  for (const pad of compiledLayout(layout, writeField).pads) {
    for (let i = at + pad.start; i < at + pad.end; i++) if (bytes[i] !== 0) return prefix ? `${prefix}.${pad.path}` : pad.path;
  }
  return undefined;
}

/**
 * Path of the first padding field (fixed part, then tail elements) that is not zero, or undefined.
 * Only the bytes present are inspected.
 */
export function firstNonZeroPadding(layout: StructLayout, bytes: Uint8Array, offset = 0): string | undefined {
  if (bytes.length - offset < layout.size) return undefined;
  const fixed = paddingIn(bytes, offset, layout, '');
  if (fixed || !layout.tail || layout.tail.elem.kind !== 'struct') return fixed;
  const tail = layout.tail;
  const elem = tail.elem as StructLayout;
  const count = Math.floor((Math.min(requiredSize(layout, bytes, offset), bytes.length - offset) - tail.offset) / elem.size);
  for (let i = 0; i < count; i++) {
    const found = paddingIn(bytes, offset + tail.offset + i * elem.size, elem, `${tail.name}[${i}]`);
    if (found) return found;
  }
  return undefined;
}

/** Copies `bytes` into a zero-filled buffer of at least `size` bytes (the kernel's zero-filled receive buffer). */
export function zeroExtend(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length >= size) return bytes;
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}
