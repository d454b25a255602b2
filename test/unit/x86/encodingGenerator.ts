// Generates random valid encodings of opcode-table entries (prefixes, REX, mandatory prefix,
// opcode, ModRM/SIB/displacement, immediates) for the decoder and differential tests. Seeded, so
// every run tests the same byte sequences.

import { OPCODES, type OpcodeEntry } from '../../../src/vmm/x86/opcodeTable';
import { opcodeHasModrm } from '../../../src/vmm/x86/decoder';

/** mulberry32: a small deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validIn(e: OpcodeEntry, mode: 2 | 4 | 8): boolean {
  const f = e.flags.split(' ');
  if (mode === 8 && f.includes('i64')) return false;
  if (mode !== 8 && f.includes('o64')) return false;
  return true;
}

export interface GenOptions {
  mode: 2 | 4 | 8;
  /** Allow memory operands (ModRM mod != 3). */
  memory: boolean;
  /** Allow the 0x67 address-size prefix. */
  addressPrefix: boolean;
  /** Allow segment-override prefixes. */
  segmentPrefix: boolean;
  /** Allow 0x66 on forms without a mandatory prefix. */
  operandPrefix: boolean;
  /** Extra constraint on the ModRM byte (return false to reject). */
  modrmFilter?: (modrm: number, rex: number) => boolean;
}

/** Restrictions that keep reg fields valid where the SDM reserves encodings (Sreg, CRn). */
function regAllowed(e: OpcodeEntry, reg: number, rex: number): boolean {
  if (e.map === 1 && e.op >= 0x20 && e.op <= 0x23 && rex & 4) return e.op === 0x20 || e.op === 0x22 ? reg === 0 : false;
  if (e.map === 0 && e.op === 0x8c) return reg <= 5;
  if (e.map === 0 && e.op === 0x8e) return reg <= 5 && reg !== 1;
  if (e.map === 1 && (e.op === 0x20 || e.op === 0x22)) return [0, 2, 3, 4].includes(reg);
  return true;
}

/** One random encoding of `e` (or undefined if the options exclude every form). Trailing bytes pad to 16. */
export function encode(e: OpcodeEntry, rand: () => number, o: GenOptions): Uint8Array | undefined {
  const bytes: number[] = [];
  const flags = e.flags.split(' ');
  const byte = () => Math.floor(rand() * 256);
  if (o.segmentPrefix && rand() < 0.2) bytes.push([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65][Math.floor(rand() * 6)]);
  if (o.addressPrefix && rand() < 0.2) bytes.push(0x67);
  if (e.pfx) bytes.push(e.pfx);
  else if (o.operandPrefix && !flags.includes('np') && rand() < 0.2) bytes.push(0x66);
  let rex = 0;
  if (o.mode === 8 && rand() < 0.5) {
    rex = 0x40 | Math.floor(rand() * 16);
    bytes.push(rex);
  }
  if (e.map === 1) bytes.push(0x0f);
  else if (e.map === 2) bytes.push(0x0f, 0x38);
  else if (e.map === 3) bytes.push(0x0f, 0x3a);
  bytes.push(e.op);
  if (opcodeHasModrm(e.map, e.op)) {
    let modrm = 0;
    for (let tries = 0; ; tries++) {
      if (tries > 200) return undefined;
      if (e.modrm >= 0) modrm = e.modrm;
      else {
        const memOnly = flags.includes('mem'), regOnly = flags.includes('reg') || flags.includes('forcereg');
        let mod = Math.floor(rand() * 4);
        if (!o.memory || regOnly) mod = 3;
        if (memOnly) mod = Math.floor(rand() * 3);
        if (mod !== 3 && !o.memory) continue;
        const reg = e.reg >= 0 ? e.reg : Math.floor(rand() * 8);
        if (!regAllowed(e, reg, rex)) continue;
        modrm = (mod << 6) | (reg << 3) | Math.floor(rand() * 8);
        if (mod === 3 && e.reg >= 0 && OPCODES.some((x) => x.map === e.map && x.op === e.op && x.modrm === modrm)) continue;
      }
      if (!o.modrmFilter || o.modrmFilter(modrm, rex)) break;
      if (e.modrm >= 0) return undefined;
    }
    bytes.push(modrm);
  }
  while (bytes.length < 16) bytes.push(byte());
  return new Uint8Array(bytes.slice(0, 16));
}
