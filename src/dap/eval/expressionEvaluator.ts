// Evaluates parsed expressions against a stopped vCPU: registers from its state, memory through
// its page tables (or physically for `phys:` pointers), symbols from the guest's debug info.
// A result that names memory (a symbol, a dereference) keeps its location and size, which is what
// data breakpoints and memory references need.
import type { MemoryLocation } from '../memory/guestMemory';
import { ExpressionError, parseExpression, type Expr } from './expressionParser';

/** What a symbol name resolves to: where it lives and how big it is. */
export interface SymbolValue {
  address: bigint;
  size: number;
  /** For pointer-typed variables, the size of what they point at. */
  pointeeSize?: number;
  typeName?: string;
  /** Functions and sections evaluate to their address rather than their contents. */
  isCode?: boolean;
}

export interface EvaluationContext {
  register(name: string): bigint | undefined;
  readMemory(location: MemoryLocation, size: 1 | 2 | 4 | 8): Promise<bigint>;
  lookupSymbol(name: string): SymbolValue | undefined;
}

export interface EvalResult {
  /** Undefined for objects larger than 8 bytes. */
  value: bigint | undefined;
  size: number;
  /** Where the value is stored, for lvalues. */
  location?: MemoryLocation;
  /** The value is an address; dereferencing it reads this many bytes. */
  pointeeSize?: number;
  /** The value is a guest-physical address (from `phys:`). */
  physicalPointer?: boolean;
  typeName?: string;
}

const MASK64 = (1n << 64n) - 1n;
const truth = (b: boolean): bigint => (b ? 1n : 0n);

export async function evaluate(text: string, ctx: EvaluationContext): Promise<EvalResult> {
  return evaluateTree(parseExpression(text), ctx);
}

async function load(location: MemoryLocation, size: number, ctx: EvaluationContext): Promise<bigint | undefined> {
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return undefined;
  return ctx.readMemory(location, size);
}

function rvalue(r: EvalResult, what: string): bigint {
  if (r.value === undefined) throw new ExpressionError(`${what} is a ${r.size}-byte object, not a number`);
  return r.value;
}

async function evaluateTree(e: Expr, ctx: EvaluationContext): Promise<EvalResult> {
  switch (e.kind) {
    case 'number': return { value: e.value & MASK64, size: 8 };
    case 'physical': return { value: e.address, size: 8, physicalPointer: true, pointeeSize: 8 };
    case 'register': {
      const value = ctx.register(e.name);
      if (value === undefined) throw new ExpressionError(`unknown register $${e.name}`);
      return { value, size: 8, typeName: 'register' };
    }
    case 'symbol': return evaluateSymbol(e.name, ctx);
    case 'cast': {
      const inner = await evaluateTree(e.operand, ctx);
      return { value: rvalue(inner, 'the cast operand'), size: 8, pointeeSize: e.pointeeSize, physicalPointer: inner.physicalPointer, typeName: `${e.pointeeName}*` };
    }
    case 'unary': return evaluateUnary(e.op, await evaluateTree(e.operand, ctx), ctx);
    case 'binary': {
      const l = rvalue(await evaluateTree(e.left, ctx), 'the left operand');
      if (e.op === '&&' && l === 0n) return { value: 0n, size: 8 };
      if (e.op === '||' && l !== 0n) return { value: 1n, size: 8 };
      const r = rvalue(await evaluateTree(e.right, ctx), 'the right operand');
      return { value: binaryOp(e.op, l, r) & MASK64, size: 8 };
    }
  }
}

async function evaluateSymbol(name: string, ctx: EvaluationContext): Promise<EvalResult> {
  const sym = ctx.lookupSymbol(name);
  if (!sym) throw new ExpressionError(`no symbol named "${name}"`);
  // A function evaluates to its address, and &function is that address too.
  if (sym.isCode) return { value: sym.address, size: 8, typeName: sym.typeName, pointeeSize: sym.size, location: { space: 'virtual', address: sym.address } };
  const location: MemoryLocation = { space: 'virtual', address: sym.address };
  return { value: await load(location, sym.size, ctx), size: sym.size, location, pointeeSize: sym.pointeeSize, typeName: sym.typeName };
}

async function evaluateUnary(op: '-' | '!' | '~' | '*' | '&', inner: EvalResult, ctx: EvaluationContext): Promise<EvalResult> {
  switch (op) {
    case '-': return { value: (-rvalue(inner, 'the operand')) & MASK64, size: 8 };
    case '!': return { value: truth(rvalue(inner, 'the operand') === 0n), size: 8 };
    case '~': return { value: ~rvalue(inner, 'the operand') & MASK64, size: 8 };
    case '&':
      if (!inner.location) throw new ExpressionError('cannot take the address of a value that is not in memory');
      return { value: inner.location.address, size: 8, pointeeSize: inner.size, physicalPointer: inner.location.space === 'physical' };
    case '*': {
      const address = rvalue(inner, 'the pointer');
      const size = inner.pointeeSize ?? 8;
      const location: MemoryLocation = { space: inner.physicalPointer ? 'physical' : 'virtual', address };
      return { value: await load(location, size, ctx), size, location };
    }
  }
}

function binaryOp(op: string, l: bigint, r: bigint): bigint {
  switch (op) {
    case '+': return l + r;
    case '-': return l - r;
    case '*': return l * r;
    case '/': case '%':
      if (r === 0n) throw new ExpressionError('division by zero');
      return op === '/' ? l / r : l % r;
    case '&': return l & r;
    case '|': return l | r;
    case '^': return l ^ r;
    case '<<': return l << (r & 63n);
    case '>>': return l >> (r & 63n);
    case '==': return truth(l === r);
    case '!=': return truth(l !== r);
    case '<': return truth(l < r);
    case '<=': return truth(l <= r);
    case '>': return truth(l > r);
    case '>=': return truth(l >= r);
    case '&&': case '||': return truth(l !== 0n && r !== 0n) | truth(op === '||' && (l !== 0n || r !== 0n));
    default: throw new ExpressionError(`unknown operator ${op}`);
  }
}
