// Test helper: a seeded generator of random values for any KVMI layout (every field, nested structs,
// tails with their count field set consistently), and a flattening of values into leaf lists in
// layout order, which is how values are exchanged with the C probe.
import type { FieldType, ScalarKind, StructLayout } from '../../../src/vmm/kvmi/layoutDsl';

/** mulberry32: small, seedable, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;

const u32 = (rng: Rng) => Math.floor(rng() * 0x1_0000_0000);

function randomScalar(kind: ScalarKind, rng: Rng): number | bigint {
  switch (kind) {
    case 'u8': return Math.floor(rng() * 0x100);
    case 'u16': return Math.floor(rng() * 0x10000);
    case 'u32': return u32(rng);
    case 's32': return u32(rng) | 0;
    case 'u64': return (BigInt(u32(rng)) << 32n) | BigInt(u32(rng));
    case 's64': return BigInt.asIntN(64, (BigInt(u32(rng)) << 32n) | BigInt(u32(rng)));
  }
}

function randomField(type: FieldType, rng: Rng): unknown {
  if (type.kind === 'scalar') return randomScalar(type.scalar, rng);
  if (type.kind === 'struct') return randomValue(type, rng);
  if (type.elem === 'u8') return Uint8Array.from({ length: type.length }, () => Math.floor(rng() * 256));
  return Array.from({ length: type.length }, () => randomScalar(type.elem, rng));
}

function setPath(value: Record<string, unknown>, path: string, v: number): void {
  const parts = path.split('.');
  let target = value;
  for (const part of parts.slice(0, -1)) target = target[part] as Record<string, unknown>;
  target[parts[parts.length - 1]] = v;
}

/** A random value for `layout`; a tail gets 0..maxTail elements and a matching count field. */
export function randomValue<T>(layout: StructLayout<T>, rng: Rng, maxTail = 5): T {
  const value: Record<string, unknown> = {};
  for (const field of layout.fields) if (!field.pad) value[field.name] = randomField(field.type, rng);
  const tail = layout.tail;
  if (tail) {
    const count = Math.floor(rng() * (maxTail + 1));
    value[tail.name] = tail.elem.kind === 'scalar' && tail.elem.scalar === 'u8'
      ? Uint8Array.from({ length: count }, () => Math.floor(rng() * 256))
      : Array.from({ length: count }, () => randomField(tail.elem, rng));
    if (tail.count !== 'rest') setPath(value, tail.count, count);
  }
  return value as T;
}

/** One leaf of a struct: its C member path, scalar kind, whether it is padding, and its value. */
export interface Leaf {
  path: string;
  kind: ScalarKind;
  pad: boolean;
  value: bigint;
}

function leavesOfField(type: FieldType, path: string, pad: boolean, value: unknown, out: Leaf[]): void {
  if (type.kind === 'scalar') {
    out.push({ path, kind: type.scalar, pad, value: pad ? 0n : BigInt(value as number | bigint) });
  } else if (type.kind === 'struct') {
    for (const f of type.fields) {
      leavesOfField(f.type, `${path}.${f.name}`, pad || f.pad, pad || f.pad ? undefined : (value as Record<string, unknown>)[f.name], out);
    }
  } else {
    for (let i = 0; i < type.length; i++) {
      const element = pad ? 0 : (value as ArrayLike<number | bigint>)[i];
      out.push({ path: `${path}[${i}]`, kind: type.elem, pad, value: BigInt(element) });
    }
  }
}

/** The fixed-part leaves of a value in layout order (padding leaves carry 0). Paths start without the struct name. */
export function leavesOf(layout: StructLayout, value: unknown): Leaf[] {
  const out: Leaf[] = [];
  for (const f of layout.fields) {
    leavesOfField(f.type, f.name, f.pad, f.pad ? undefined : (value as Record<string, unknown>)[f.name], out);
  }
  return out;
}

/** Leaves of the tail elements of a value (C paths such as "msrs.entries[1].data"). */
export function tailLeaves(layout: StructLayout, value: unknown): Leaf[] {
  const tail = layout.tail;
  if (!tail) return [];
  const elements = (value as Record<string, ArrayLike<unknown>>)[tail.name];
  const out: Leaf[] = [];
  for (let i = 0; i < elements.length; i++) leavesOfField(tail.elem, `${tail.cPath}[${i}]`, false, elements[i], out);
  return out;
}

/** Every leaf of a value: the fixed part, then the tail. */
export function allLeaves(layout: StructLayout, value: unknown): Leaf[] {
  return [...leavesOf(layout, value), ...tailLeaves(layout, value)];
}
