// x86 instruction decoder: bytes x code size -> DecodedInsn | DecodeFault, in the phases of
// SDM Vol. 2A chapter 2: legacy prefixes, REX, opcode map escape (0F, 0F 38, 0F 3A), opcode lookup
// (mandatory prefix, ModRM.reg group, exact ModRM), ModRM/SIB/displacement, immediates.
// Lookup tables are derived once from opcodeTable.ts.

import { DecodedInsn, NO_REG, RIP_BASE } from './decodedInsn';
import { DecodeFault } from './faults';
import { OPCODES, type OpcodeEntry } from './opcodeTable';

/** Immediate kinds, in decoding order (SDM Vol. 2D A.2.2). */
const enum Imm { None, B, SB, W, Z, V, JB, JZ, O, AP }

/** Per-entry facts the decoder needs, derived from its operand tokens. */
interface Form {
  entry: OpcodeEntry;
  imm1: Imm;
  imm2: Imm;
  sizeToken: string;
  i64: boolean; o64: boolean; d64: boolean; f64: boolean; lock: boolean;
  memOnly: boolean; regOnly: boolean; forceReg: boolean; noPrefix: boolean;
}

/** All forms sharing one (map, opcode, mandatory prefix). */
interface Slot {
  single?: Form;
  group?: (Form | undefined)[];
  exact?: Map<number, Form>;
}

interface OpcodeSlots {
  hasModrm: boolean;
  /** Indexed by mandatory prefix: 0 none, 1 = 66, 2 = F3, 3 = F2. */
  byPrefix: (Slot | undefined)[];
}

const MODRM_TOKEN = /^[EGMRSCDVWU][a-z]?$/;
const PREFIX_INDEX: Record<number, number> = { 0: 0, 0x66: 1, 0xf3: 2, 0xf2: 3 };

function immKind(token: string): Imm {
  switch (token) {
    case 'Ib': return Imm.B;
    case 'sIb': return Imm.SB;
    case 'Iw': return Imm.W;
    case 'Iz': return Imm.Z;
    case 'Iv': return Imm.V;
    case 'Jb': return Imm.JB;
    case 'Jz': return Imm.JZ;
    case 'Ob': case 'Ov': return Imm.O;
    case 'Ap': return Imm.AP;
    default: return Imm.None;
  }
}

function compile(entry: OpcodeEntry): Form {
  const tokens = entry.ops ? entry.ops.split(',') : [];
  const imms = tokens.map(immKind).filter((k) => k !== Imm.None);
  const flags = new Set(entry.flags.split(' '));
  return {
    entry, imm1: imms[0] ?? Imm.None, imm2: imms[1] ?? Imm.None, sizeToken: tokens[0] ?? '',
    i64: flags.has('i64'), o64: flags.has('o64'), d64: flags.has('d64'), f64: flags.has('f64'),
    lock: flags.has('lock'), memOnly: flags.has('mem'), regOnly: flags.has('reg'), forceReg: flags.has('forcereg'),
    noPrefix: flags.has('np'),
  };
}

/** Lookup table indexed by map * 256 + opcode. */
const SLOTS: (OpcodeSlots | undefined)[] = new Array(4 * 256);
for (const entry of OPCODES) {
  const key = entry.map * 256 + entry.op;
  const form = compile(entry);
  const hasModrm = entry.reg >= 0 || entry.modrm >= 0 || (entry.ops.split(',').some((t) => MODRM_TOKEN.test(t)));
  const slots = SLOTS[key] ??= { hasModrm, byPrefix: [] };
  slots.hasModrm ||= hasModrm;
  const slot = slots.byPrefix[PREFIX_INDEX[entry.pfx]] ??= {};
  if (entry.modrm >= 0) (slot.exact ??= new Map()).set(entry.modrm, form);
  else if (entry.reg >= 0) (slot.group ??= new Array(8))[entry.reg] = form;
  else slot.single = form;
}

/** True if (map, opcode) takes a ModRM byte; used by tests that generate encodings. */
export function opcodeHasModrm(map: number, op: number): boolean {
  return SLOTS[map * 256 + op]?.hasModrm ?? false;
}

function pickForm(slot: Slot | undefined, modrm: number): Form | undefined {
  if (!slot) return undefined;
  if (slot.exact && modrm >= 0xc0) {
    const f = slot.exact.get(modrm);
    if (f) return f;
  }
  return slot.group?.[(modrm >> 3) & 7] ?? slot.single;
}

function sizeOf(token: string, opsize: number, rexW: boolean, mode: number): number {
  if (token === 'b' || token === 'AL' || token === 'Zb' || token === 'Ob' || token === 'Eb' || token === 'Gb') return 1;
  if (token === 'Ew' || token === 'Sw' || token === 'Iw') return 2;
  if (token === 'Md' || token === 'Ed' || token === 'Gd' || token === 'Wd') return 4;
  if (token === 'Wq') return 8;
  if (token === 'Mq') return rexW ? 16 : 8;
  if (token === 'Rq' || token === 'Cq' || token === 'Dq') return mode === 8 ? 8 : 4;
  if (token === 'Vx' || token === 'Wx') return 16;
  if (token === 'Gy' || token === 'Ey') return rexW ? 8 : 4;
  return opsize;
}

/**
 * Decodes one instruction from buf[offset .. offset+avail) for code size `mode` (2, 4 or 8 bytes).
 * Returns a DecodeFault with reason 'truncated' when more bytes are needed than available.
 */
export function decode(buf: Uint8Array, offset: number, avail: number, mode: 2 | 4 | 8): DecodedInsn | DecodeFault {
  const limit = Math.min(avail, 15);
  let i = 0;
  let opsizePfx = false, adsizePfx = false, lock = false, rep = 0, seg = -1;
  let rex = 0;
  // Phase 1: legacy prefixes (SDM Vol. 2A 2.1.1); a REX is only effective immediately before the opcode.
  for (;;) {
    if (i >= limit) return new DecodeFault(avail < 15 ? 'truncated' : 'tooLong', i);
    const b = buf[offset + i];
    if (b === 0x66) opsizePfx = true;
    else if (b === 0x67) adsizePfx = true;
    else if (b === 0xf0) lock = true;
    else if (b === 0xf2 || b === 0xf3) rep = b;
    else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e) seg = (b >> 3) & 3;
    else if (b === 0x64 || b === 0x65) seg = b - 0x60;
    else if (mode === 8 && (b & 0xf0) === 0x40) {
      rex = b;
      i++;
      if (i >= limit) return new DecodeFault(avail < 15 ? 'truncated' : 'tooLong', i);
      if (isLegacyPrefix(buf[offset + i])) {
        rex = 0;
        continue;
      }
      break;
    }
    else break;
    rex = 0;
    i++;
  }
  // Phase 2: opcode and map escape (SDM Vol. 2A 2.1.2).
  let map = 0;
  let op = buf[offset + i++];
  if (op === 0x0f) {
    if (i >= limit) return new DecodeFault(avail < 15 ? 'truncated' : 'tooLong', i);
    op = buf[offset + i++];
    map = 1;
    if (op === 0x38 || op === 0x3a) {
      if (i >= limit) return new DecodeFault(avail < 15 ? 'truncated' : 'tooLong', i);
      map = op === 0x38 ? 2 : 3;
      op = buf[offset + i++];
    }
  }
  const slots = SLOTS[map * 256 + op];
  if (!slots) return new DecodeFault('undefinedOpcode', i);
  let modrm = -1;
  if (slots.hasModrm) {
    if (i >= limit) return new DecodeFault(avail < 15 ? 'truncated' : 'tooLong', i);
    modrm = buf[offset + i];
  }
  // Phase 3: mandatory prefix (the last F2/F3 wins over 66, SDM Vol. 2A 2.1.1) and form selection.
  let form: Form | undefined;
  let mandatory = 0;
  if (rep) {
    form = pickForm(slots.byPrefix[rep === 0xf3 ? 2 : 3], modrm);
    if (form) mandatory = rep;
  }
  if (!form && opsizePfx) {
    form = pickForm(slots.byPrefix[1], modrm);
    if (form) mandatory = 0x66;
  }
  if (!form) form = pickForm(slots.byPrefix[0], modrm);
  if (!form) return new DecodeFault('undefinedOpcode', i);
  if (mode === 8 && form.i64) return new DecodeFault('invalidInMode', i);
  if (mode !== 8 && form.o64) return new DecodeFault('undefinedOpcode', i);
  if (form.noPrefix && (opsizePfx || rep)) return new DecodeFault('undefinedOpcode', i);

  const d = new DecodedInsn();
  d.entry = form.entry;
  d.param = form.entry.param;
  d.mode = mode;
  d.rex = rex !== 0;
  d.rexW = (rex & 8) !== 0;
  d.rep = mandatory === rep ? 0 : rep;
  if (mandatory === 0x66) opsizePfx = false;
  d.lock = lock;
  d.segOverride = seg;
  // Operand and address size (SDM Vol. 1 3.6, Table 3-4; Vol. 2A 2.2.1.2 for d64/f64).
  let opsize = mode === 8 ? (d.rexW ? 8 : opsizePfx ? 2 : 4) : (opsizePfx ? (mode === 2 ? 4 : 2) : mode);
  if (mode === 8 && (form.f64 || (form.d64 && !opsizePfx))) opsize = 8;
  d.opsize = opsize;
  const adsize = mode === 8 ? (adsizePfx ? 4 : 8) : (adsizePfx ? (mode === 2 ? 4 : 2) : mode);
  d.adsize = adsize;
  d.opReg = (op & 7) | ((rex & 1) << 3);
  d.size = sizeOf(form.sizeToken, opsize, d.rexW, mode);
  d.seg = seg >= 0 ? seg : 3;
  // Phase 4: ModRM, SIB, displacement (SDM Vol. 2A 2.1.5, Tables 2-1..2-3).
  if (modrm >= 0) {
    i++;
    d.hasModrm = true;
    let mod = modrm >> 6;
    if (form.forceReg) mod = 3;
    d.mod = mod;
    d.reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    const rm = modrm & 7;
    d.rm = rm | ((rex & 1) << 3);
    if (mod !== 3) {
      if (form.regOnly) return new DecodeFault('registerFormRequired', i);
      d.hasMem = true;
      const r = adsize === 2 ? decodeMem16(d, buf, offset, i, limit, mod, rm, seg)
        : decodeMem32(d, buf, offset, i, limit, mod, rm, rex, seg, mode);
      if (r < 0) return new DecodeFault(avail < 15 ? 'truncated' : 'tooLong', limit);
      i = r;
    } else if (form.memOnly) return new DecodeFault('memoryFormRequired', i);
  }
  if (lock && (!form.lock || !d.hasMem)) return new DecodeFault('lockNotAllowed', i);
  // Phase 5: immediates.
  i = readImm(d, form.imm1, buf, offset, i, limit, true);
  if (i < 0) return new DecodeFault(avail < 15 ? 'truncated' : 'tooLong', limit);
  i = readImm(d, form.imm2, buf, offset, i, limit, false);
  if (i < 0) return new DecodeFault(avail < 15 ? 'truncated' : 'tooLong', limit);
  d.len = i;
  return d;
}

function isLegacyPrefix(b: number): boolean {
  return b === 0x66 || b === 0x67 || b === 0xf0 || b === 0xf2 || b === 0xf3 || b === 0x26 || b === 0x2e
    || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65 || (b & 0xf0) === 0x40;
}

/** 16-bit addressing forms (SDM Vol. 2A Table 2-1): BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP/disp16, BX. */
const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3];
const INDEX16 = [6, 7, 6, 7, NO_REG, NO_REG, NO_REG, NO_REG];

function decodeMem16(d: DecodedInsn, buf: Uint8Array, off: number, i: number, limit: number,
  mod: number, rm: number, seg: number): number {
  d.base = BASE16[rm];
  d.index = INDEX16[rm];
  d.scale = 0;
  if (mod === 0 && rm === 6) {
    d.base = NO_REG;
    if (i + 2 > limit) return -1;
    d.disp = (buf[off + i] | (buf[off + i + 1] << 8)) << 16 >> 16;
    i += 2;
  } else if (mod === 1) {
    if (i + 1 > limit) return -1;
    d.disp = (buf[off + i] << 24) >> 24;
    i += 1;
  } else if (mod === 2) {
    if (i + 2 > limit) return -1;
    d.disp = (buf[off + i] | (buf[off + i + 1] << 8)) << 16 >> 16;
    i += 2;
  } else d.disp = 0;
  if (seg < 0 && d.base === 5) d.seg = 2;
  return i;
}

function decodeMem32(d: DecodedInsn, buf: Uint8Array, off: number, i: number, limit: number,
  mod: number, rm: number, rex: number, seg: number, mode: number): number {
  let base: number = rm | ((rex & 1) << 3);
  let index = NO_REG, scale = 0;
  if (rm === 4) {
    if (i + 1 > limit) return -1;
    const sib = buf[off + i++];
    scale = sib >> 6;
    index = ((sib >> 3) & 7) | ((rex & 2) << 2);
    if (index === 4) index = NO_REG;
    base = (sib & 7) | ((rex & 1) << 3);
    if ((sib & 7) === 5 && mod === 0) base = NO_REG;
  } else if (rm === 5 && mod === 0) {
    base = mode === 8 ? RIP_BASE : NO_REG;
  }
  let disp = 0;
  if (mod === 1) {
    if (i + 1 > limit) return -1;
    disp = (buf[off + i++] << 24) >> 24;
  } else if (mod === 2 || base === NO_REG || base === RIP_BASE) {
    if (i + 4 > limit) return -1;
    disp = buf[off + i] | (buf[off + i + 1] << 8) | (buf[off + i + 2] << 16) | (buf[off + i + 3] << 24);
    i += 4;
  }
  d.base = base;
  d.index = index;
  d.scale = scale;
  d.disp = disp;
  if (seg < 0 && (base === 4 || base === 5)) d.seg = 2;
  return i;
}

function readImm(d: DecodedInsn, kind: Imm, buf: Uint8Array, off: number, i: number, limit: number, first: boolean): number {
  if (kind === Imm.None) return i;
  let bytes: number;
  switch (kind) {
    case Imm.B: case Imm.SB: case Imm.JB: bytes = 1; break;
    case Imm.W: bytes = 2; break;
    case Imm.Z: case Imm.JZ: bytes = d.opsize === 2 ? 2 : 4; break;
    case Imm.V: bytes = d.opsize; break;
    case Imm.O: bytes = d.adsize; break;
    default: bytes = (d.opsize === 2 ? 2 : 4) + 2; break;
  }
  if (i + bytes > limit) return -1;
  const p = off + i;
  if (kind === Imm.AP) {
    // Far pointer: offset (16 or 32 bits) then selector (SDM Vol. 2A JMP/CALL ptr16:16/32).
    const ob = bytes - 2;
    d.imm = ob === 2 ? buf[p] | (buf[p + 1] << 8) : (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)) >>> 0;
    d.imm2 = buf[p + ob] | (buf[p + ob + 1] << 8);
    return i + bytes;
  }
  let lo: number, hi = 0;
  if (bytes === 1) lo = kind === Imm.B ? buf[p] : (buf[p] << 24) >> 24;
  else if (bytes === 2) lo = kind === Imm.W ? (buf[p] | (buf[p + 1] << 8)) : ((buf[p] | (buf[p + 1] << 8)) << 16) >> 16;
  else {
    lo = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24);
    if (bytes === 8) hi = buf[p + 4] | (buf[p + 5] << 8) | (buf[p + 6] << 16) | (buf[p + 7] << 24);
  }
  if (kind === Imm.O) {
    d.disp = lo >>> 0;
    d.moffsHi = hi >>> 0;
    d.hasMem = true;
    d.base = NO_REG;
    d.index = NO_REG;
    return i + bytes;
  }
  if (first) {
    // Sign-extended kinds keep a signed lo; immHi is their sign extension (SDM Vol. 2A 2.2.1.5).
    if (kind === Imm.Z || kind === Imm.JZ || kind === Imm.SB || kind === Imm.JB) hi = lo < 0 ? -1 : 0;
    d.imm = lo;
    d.immHi = hi | 0;
  } else d.imm2 = lo;
  return i + bytes;
}
