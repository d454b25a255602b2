// A small DWARF expression stack machine (DWARF 5 section 2.5.1) for the expressions that CFI
// and simple locations use: literals and constants, register-relative pushes, dereference, and
// the arithmetic/logical/comparison operators (e.g. the PLT CFA rule "rsp+8+((rip&15)>=11)*8").
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';
import * as locationExpression from './locationExpression';

// Copied into a local binding once: unbundled CommonJS would otherwise call a getter per use.
const { DW_OP } = locationExpression;

export type ReadMemory = (address: bigint, size: 4 | 8) => bigint | undefined | Promise<bigint | undefined>;

export interface ExpressionContext {
  addressSize: 4 | 8;
  register(dwarfRegister: number): bigint | undefined;
  readMemory: ReadMemory;
  /** Pushed first, e.g. the CFA for DW_CFA_expression rules (6.4.2.3). */
  initial?: bigint;
  frameBase?: bigint;
  cfa?: bigint;
}

/** Evaluates `bytes` and returns the top of the stack (an address or value), masked to the address size. */
export async function evaluateExpression(bytes: Uint8Array, ctx: ExpressionContext): Promise<bigint> {
  const mask = ctx.addressSize === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  const signed = (v: bigint) => BigInt.asIntN(ctx.addressSize * 8, v);
  const stack: bigint[] = ctx.initial === undefined ? [] : [ctx.initial];
  const r = new ByteReader(bytes, true, 0, 'DWARF expression');
  const pop = (): bigint => {
    const v = stack.pop();
    if (v === undefined) throw new DebugInfoError('malformed', 'DWARF expression pops an empty stack');
    return v;
  };
  const push = (v: bigint) => stack.push(v & mask);
  const reg = (n: number): bigint => {
    const v = ctx.register(n);
    if (v === undefined) throw new DebugInfoError('malformed', `DWARF expression needs register ${n}, which is not available`);
    return v;
  };
  const binary = (f: (a: bigint, b: bigint) => bigint) => { const b = pop(), a = pop(); push(f(a, b)); };
  while (!r.atEnd) {
    const op = r.u8();
    if (op >= DW_OP.lit0 && op <= DW_OP.lit31) { push(BigInt(op - DW_OP.lit0)); continue; }
    if (op >= DW_OP.breg0 && op <= DW_OP.breg31) { push(reg(op - DW_OP.breg0) + r.slebBig()); continue; }
    if (op >= DW_OP.reg0 && op <= DW_OP.reg31) { push(reg(op - DW_OP.reg0)); continue; }
    switch (op) {
      case DW_OP.addr: push(r.address(ctx.addressSize)); break;
      case DW_OP.const1u: push(BigInt(r.u8())); break;
      case DW_OP.const1s: push(BigInt(r.i8())); break;
      case DW_OP.const2u: push(BigInt(r.u16())); break;
      case DW_OP.const2s: push(BigInt(r.i16())); break;
      case DW_OP.const4u: push(BigInt(r.u32())); break;
      case DW_OP.const4s: push(BigInt(r.i32())); break;
      case DW_OP.const8u: push(r.u64()); break;
      case DW_OP.const8s: push(r.i64()); break;
      case DW_OP.constu: push(r.ulebBig()); break;
      case DW_OP.consts: push(r.slebBig()); break;
      case DW_OP.bregx: { const n = r.uleb(); push(reg(n) + r.slebBig()); break; }
      case DW_OP.regx: push(reg(r.uleb())); break;
      case DW_OP.fbreg:
        if (ctx.frameBase === undefined) throw new DebugInfoError('malformed', 'DW_OP_fbreg without a frame base');
        push(ctx.frameBase + r.slebBig()); break;
      case DW_OP.call_frame_cfa:
        if (ctx.cfa === undefined) throw new DebugInfoError('malformed', 'DW_OP_call_frame_cfa without a CFA');
        push(ctx.cfa); break;
      case DW_OP.dup: { const v = pop(); push(v); push(v); break; }
      case DW_OP.drop: pop(); break;
      case DW_OP.over: { const b = pop(), a = pop(); push(a); push(b); push(a); break; }
      case DW_OP.swap: { const b = pop(), a = pop(); push(b); push(a); break; }
      case DW_OP.deref: {
        const address = pop();
        const value = await ctx.readMemory(address, ctx.addressSize);
        if (value === undefined) throw new DebugInfoError('badOffset', `DW_OP_deref of unreadable address 0x${address.toString(16)}`);
        push(value); break;
      }
      case DW_OP.plus_uconst: push(pop() + r.ulebBig()); break;
      case DW_OP.plus: binary((a, b) => a + b); break;
      case DW_OP.minus: binary((a, b) => a - b); break;
      case DW_OP.mul: binary((a, b) => a * b); break;
      case DW_OP.and: binary((a, b) => a & b); break;
      case DW_OP.or: binary((a, b) => a | b); break;
      case DW_OP.xor: binary((a, b) => a ^ b); break;
      case DW_OP.shl: binary((a, b) => a << b); break;
      case DW_OP.shr: binary((a, b) => a >> b); break;
      case DW_OP.shra: binary((a, b) => signed(a) >> b); break;
      case DW_OP.neg: push(-signed(pop())); break;
      case DW_OP.not: push(~pop()); break;
      case DW_OP.eq: binary((a, b) => (a === b ? 1n : 0n)); break;
      case DW_OP.ne: binary((a, b) => (a !== b ? 1n : 0n)); break;
      case DW_OP.ge: binary((a, b) => (signed(a) >= signed(b) ? 1n : 0n)); break;
      case DW_OP.gt: binary((a, b) => (signed(a) > signed(b) ? 1n : 0n)); break;
      case DW_OP.le: binary((a, b) => (signed(a) <= signed(b) ? 1n : 0n)); break;
      case DW_OP.lt: binary((a, b) => (signed(a) < signed(b) ? 1n : 0n)); break;
      case DW_OP.nop: break;
      case DW_OP.stack_value: return pop();
      default: throw new DebugInfoError('unsupported', `DWARF expression operation 0x${op.toString(16)}`, r.pos - 1);
    }
  }
  return pop();
}
