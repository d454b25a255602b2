// Per-layout specialised code for the struct codec (structCodec.ts), generated once from the same
// layout data (layoutDsl.ts), so that there is still one definition of every structure: a reader
// that builds the value as one object literal with every field read at its constant offset, a
// writer that checks and stores each field inline (values that fail the inline check take the
// generic path, which throws the codec's usual error naming the field), and the flat list of
// padding ranges with their dotted paths. On every KVMI event the VMM encodes ~150 fields and the
// tool decodes them; the generic walk over the field list cost about 50 us of each round trip here.
import { KvmiEncodeError } from './errors';
import type { FieldType, ScalarKind, StructLayout } from './layoutDsl';

/** Reads the fixed part of a struct at `at`. */
export type FixedReader = (view: DataView, at: number) => Record<string, unknown>;
/**
 * Writes the fixed part of a struct at `at` (the bytes are zero already, padding is skipped).
 * `slow(view, at, type, value, name)` writes one field the generic way, throwing for a bad value.
 */
export type FixedWriter = (view: DataView, at: number, value: Record<string, unknown>) => void;
export type SlowFieldWriter = (view: DataView, at: number, type: FieldType, value: unknown, name: string) => void;

/** A padding range of a struct, relative to its start, with the dotted path of its field. */
export interface PadRange { start: number; end: number; path: string }

interface Compiled { read: FixedReader; write: FixedWriter; pads: readonly PadRange[] }

const cache = new WeakMap<StructLayout, Compiled>();

const GET: Record<ScalarKind, string> = {
  u8: 'getUint8(@)', u16: 'getUint16(@, true)', u32: 'getUint32(@, true)', s32: 'getInt32(@, true)',
  u64: 'getBigUint64(@, true)', s64: 'getBigInt64(@, true)',
};
const SET: Record<ScalarKind, string> = {
  u8: 'setUint8(@, v)', u16: 'setUint16(@, v, true)', u32: 'setUint32(@, v, true)', s32: 'setInt32(@, v, true)',
  u64: 'setBigUint64(@, v, true)', s64: 'setBigInt64(@, v, true)',
};
/** The inline check of a value for a scalar kind; anything else takes the generic (throwing) path. */
const FITS: Record<ScalarKind, string> = {
  u8: "typeof v === 'number' && (v & 0xff) === v",
  u16: "typeof v === 'number' && (v & 0xffff) === v",
  u32: "typeof v === 'number' && (v >>> 0) === v",
  s32: "typeof v === 'number' && (v | 0) === v",
  u64: "typeof v === 'bigint' && v >= 0n && v <= 0xffffffffffffffffn",
  s64: "typeof v === 'bigint' && v >= -0x8000000000000000n && v <= 0x7fffffffffffffffn",
};
const SCALAR_SIZE: Record<ScalarKind, number> = { u8: 1, u16: 2, u32: 4, u64: 8, s32: 4, s64: 8 };

/** The generated code of `layout`, made on first use. */
export function compiledLayout(layout: StructLayout, slow: SlowFieldWriter): Compiled {
  let c = cache.get(layout);
  if (!c) {
    c = { read: makeReader(layout), write: makeWriter(layout, slow), pads: padRanges(layout, 0, '') };
    cache.set(layout, c);
  }
  return c;
}

function makeReader(layout: StructLayout): FixedReader {
  const nested: FixedReader[] = [];
  const props: string[] = [];
  for (const f of layout.fields) {
    if (f.pad) continue;
    const at = `at + ${f.offset}`;
    const t = f.type;
    let expr: string;
    if (t.kind === 'scalar') expr = `view.${GET[t.scalar].replace('@', at)}`;
    else if (t.kind === 'struct') { nested.push(makeReader(t)); expr = `nested[${nested.length - 1}](view, ${at})`; }
    else if (t.elem === 'u8') expr = `new Uint8Array(view.buffer, view.byteOffset + ${at}, ${t.length}).slice()`;
    else {
      const elem = t.elem;
      expr = `[${Array.from({ length: t.length }, (_, i) => `view.${GET[elem].replace('@', `${at} + ${i * SCALAR_SIZE[elem]}`)}`).join(', ')}]`;
    }
    props.push(`${JSON.stringify(f.name)}: ${expr}`);
  }
  return new Function('nested', `return function read_${safe(layout.name)}(view, at) { return { ${props.join(', ')} }; };`)(nested) as FixedReader;
}

/** A nested struct's error names its member too (as the generic codec's errors do). */
function within(e: unknown, name: string): unknown {
  return e instanceof KvmiEncodeError ? e.within(name) : e;
}

function makeWriter(layout: StructLayout, slow: SlowFieldWriter): FixedWriter {
  const types: FieldType[] = [];
  const nested: FixedWriter[] = [];
  const lines: string[] = [];
  for (const f of layout.fields) {
    if (f.pad) continue;
    const t = f.type;
    types.push(t);
    const ti = types.length - 1;
    const name = JSON.stringify(f.name);
    const at = `at + ${f.offset}`;
    lines.push(`v = value[${name}];`);
    if (t.kind === 'scalar') {
      lines.push(`if (${FITS[t.scalar]}) view.${SET[t.scalar].replace('@', at)}; else slow(view, ${at}, types[${ti}], v, ${name});`);
    } else if (t.kind === 'array' && t.elem !== 'u8') {
      const elem = t.elem;
      const step = SCALAR_SIZE[elem];
      const inline = Array.from({ length: t.length }, (_, i) => `(v = a[${i}], ${FITS[elem]})`).join(' && ');
      const stores = Array.from({ length: t.length }, (_, i) => `view.${SET[elem].replace('@', `${at} + ${i * step}`).replace(', v', `, a[${i}]`)};`).join(' ');
      lines.push(`if (Array.isArray(v) && v.length === ${t.length}) { const a = v; if (${inline}) { ${stores} } else slow(view, ${at}, types[${ti}], a, ${name}); } else slow(view, ${at}, types[${ti}], v, ${name});`);
    } else if (t.kind === 'struct') {
      nested.push(makeWriter(t, slow));
      lines.push(`if (typeof v === 'object' && v !== null) { try { nested[${nested.length - 1}](view, ${at}, v); } catch (e) { throw within(e, ${name}); } } else slow(view, ${at}, types[${ti}], v, ${name});`);
    } else {
      // Byte arrays: the generic path (it checks the type and the length, and copies).
      lines.push(`slow(view, ${at}, types[${ti}], v, ${name});`);
    }
  }
  return new Function('slow', 'types', 'nested', 'within', `return function write_${safe(layout.name)}(view, at, value) { let v; ${lines.join(' ')} };`)(slow, types, nested, within) as FixedWriter;
}

function padRanges(layout: StructLayout, base: number, prefix: string): PadRange[] {
  const out: PadRange[] = [];
  for (const f of layout.fields) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    const start = base + f.offset;
    if (f.pad) out.push({ start, end: start + f.type.size, path });
    else if (f.type.kind === 'struct') out.push(...padRanges(f.type, start, path));
  }
  return out;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}
