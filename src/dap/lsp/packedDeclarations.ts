// The declaration list in columns (typed arrays plus string tables) for the trip from the DWARF
// worker thread to the server: a structured clone of 100,000 small objects with bigint addresses
// costs more than the scan that found them, columns cost a few copies (test/bench/lspIndex.ts).
import type { GuestDeclaration } from './declarationIndex';

export interface PackedDeclarations {
  names: string[];
  addresses: BigUint64Array;
  sizes: Float64Array;
  /** Bit 0: variable (else function); bit 1: static (else global). */
  flags: Uint8Array;
  /** 0 = unknown, else the 1-based line. */
  declLines: Uint32Array;
  /** Index into `strings`; 0 = unknown. */
  declFiles: Uint32Array;
  typeNames: Uint32Array;
  /** Distinct paths and type names; entry 0 is unused (it stands for "unknown"). */
  strings: string[];
}

export function packDeclarations(declarations: readonly GuestDeclaration[]): PackedDeclarations {
  const n = declarations.length;
  const strings = [''];
  const stringIndex = new Map<string, number>();
  const intern = (s: string | undefined) => {
    if (s === undefined) return 0;
    let i = stringIndex.get(s);
    if (i === undefined) { i = strings.length; strings.push(s); stringIndex.set(s, i); }
    return i;
  };
  const packed: PackedDeclarations = {
    names: new Array<string>(n), addresses: new BigUint64Array(n), sizes: new Float64Array(n), flags: new Uint8Array(n),
    declLines: new Uint32Array(n), declFiles: new Uint32Array(n), typeNames: new Uint32Array(n), strings,
  };
  declarations.forEach((d, i) => {
    packed.names[i] = d.name;
    packed.addresses[i] = d.address;
    packed.sizes[i] = d.size;
    packed.flags[i] = (d.kind === 'variable' ? 1 : 0) | (d.scope === 'static' ? 2 : 0);
    packed.declLines[i] = d.declLine ?? 0;
    packed.declFiles[i] = intern(d.declFile);
    packed.typeNames[i] = intern(d.typeName);
  });
  return packed;
}

export function unpackDeclarations(p: PackedDeclarations): GuestDeclaration[] {
  const out = new Array<GuestDeclaration>(p.names.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = {
      name: p.names[i], kind: p.flags[i] & 1 ? 'variable' : 'function', scope: p.flags[i] & 2 ? 'static' : 'global',
      address: p.addresses[i], size: p.sizes[i], typeName: p.typeNames[i] ? p.strings[p.typeNames[i]] : undefined,
      declFile: p.declFiles[i] ? p.strings[p.declFiles[i]] : undefined, declLine: p.declLines[i] || undefined,
    };
  }
  return out;
}

/** The typed-array buffers of the packed list, to move (not copy) with postMessage. */
export function packedBuffers(p: PackedDeclarations): ArrayBuffer[] {
  return [p.addresses, p.sizes, p.flags, p.declLines, p.declFiles, p.typeNames].map((a) => a.buffer as ArrayBuffer);
}
