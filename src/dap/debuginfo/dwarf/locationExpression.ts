// Classifies simple DWARF location expressions (DWARF 5 section 2.5 and 2.6): a static address
// (DW_OP_addr / DW_OP_addrx), frame-base relative (DW_OP_fbreg), register relative
// (DW_OP_breg0..31, DW_OP_bregx), in a register (DW_OP_reg0..31, DW_OP_regx) or the CFA itself.
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';

export type Location =
  | { kind: 'address'; address: bigint }
  | { kind: 'addressIndex'; index: number }
  | { kind: 'frameBaseOffset'; offset: number }
  | { kind: 'registerOffset'; register: number; offset: number }
  | { kind: 'register'; register: number }
  | { kind: 'callFrameCfa' }
  | { kind: 'complex'; bytes: Uint8Array };   // anything else: shown as "optimized/complex"

export const DW_OP = {
  addr: 0x03, deref: 0x06, const1u: 0x08, const1s: 0x09, const2u: 0x0a, const2s: 0x0b, const4u: 0x0c,
  const4s: 0x0d, const8u: 0x0e, const8s: 0x0f, constu: 0x10, consts: 0x11, dup: 0x12, drop: 0x13, over: 0x14,
  swap: 0x16, and: 0x1a, minus: 0x1c, mul: 0x1e, neg: 0x1f, not: 0x20, or: 0x21, plus: 0x22, plus_uconst: 0x23,
  shl: 0x24, shr: 0x25, shra: 0x26, xor: 0x27, eq: 0x29, ge: 0x2a, gt: 0x2b, le: 0x2c, lt: 0x2d, ne: 0x2e,
  lit0: 0x30, lit31: 0x4f, reg0: 0x50, reg31: 0x6f, breg0: 0x70, breg31: 0x8f, regx: 0x90, fbreg: 0x91,
  bregx: 0x92, piece: 0x93, nop: 0x96, call_frame_cfa: 0x9c, stack_value: 0x9f, addrx: 0xa1,
  GNU_addr_index: 0xfb,
} as const;

/** Classifies a whole expression; multi-operation expressions other than the forms above are 'complex'. */
export function classifyLocation(bytes: Uint8Array, addressSize: number, littleEndian = true): Location {
  if (bytes.length === 0) return { kind: 'complex', bytes };
  const r = new ByteReader(bytes, littleEndian, 0, 'location expression');
  const op = r.u8();
  let result: Location;
  try {
    if (op === DW_OP.addr) result = { kind: 'address', address: r.address(addressSize) };
    else if (op === DW_OP.addrx || op === DW_OP.GNU_addr_index) result = { kind: 'addressIndex', index: r.uleb() };
    else if (op === DW_OP.fbreg) result = { kind: 'frameBaseOffset', offset: r.sleb() };
    else if (op >= DW_OP.breg0 && op <= DW_OP.breg31) result = { kind: 'registerOffset', register: op - DW_OP.breg0, offset: r.sleb() };
    else if (op === DW_OP.bregx) result = { kind: 'registerOffset', register: r.uleb(), offset: r.sleb() };
    else if (op >= DW_OP.reg0 && op <= DW_OP.reg31) result = { kind: 'register', register: op - DW_OP.reg0 };
    else if (op === DW_OP.regx) result = { kind: 'register', register: r.uleb() };
    else if (op === DW_OP.call_frame_cfa) result = { kind: 'callFrameCfa' };
    else return { kind: 'complex', bytes };
  } catch (error) {
    if (error instanceof DebugInfoError) return { kind: 'complex', bytes };
    throw error;
  }
  return r.atEnd ? result : { kind: 'complex', bytes };
}
