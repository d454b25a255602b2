// Parses the debugger's expression language into a tree: numbers, `$rax`-style registers,
// symbols, `phys:0x...` physical addresses, C casts to pointer types (`(u64*)`), dereference `*`,
// address-of `&`, unary `-`/`!`/`~`, the binary arithmetic, bitwise, comparison and logical
// operators with C precedence, and parentheses. Evaluation is in expressionEvaluator.ts.

export type Expr =
  | { kind: 'number'; value: bigint }
  | { kind: 'physical'; address: bigint }
  | { kind: 'register'; name: string }
  | { kind: 'symbol'; name: string }
  | { kind: 'unary'; op: '-' | '!' | '~' | '*' | '&'; operand: Expr }
  | { kind: 'cast'; pointeeSize: number; pointeeName: string; operand: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

export class ExpressionError extends Error {
  constructor(message: string) { super(message); this.name = 'ExpressionError'; }
}

/** Sizes of the type names accepted in casts. */
export const CAST_TYPES: Record<string, number> = {
  u8: 1, i8: 1, s8: 1, char: 1, uint8_t: 1, int8_t: 1, bool: 1,
  u16: 2, i16: 2, s16: 2, short: 2, uint16_t: 2, int16_t: 2,
  u32: 4, i32: 4, s32: 4, int: 4, unsigned: 4, uint32_t: 4, int32_t: 4,
  u64: 8, i64: 8, s64: 8, long: 8, uint64_t: 8, int64_t: 8, uintptr_t: 8, size_t: 8, void: 1,
};

/** Binary operators by precedence level, loosest first. */
const LEVELS: readonly (readonly string[])[] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '<=', '>', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
];

const TOKEN = /\s*(phys:\s*(?:0x[0-9a-fA-F]+|[0-9]+)|0x[0-9a-fA-F]+|[0-9]+|\$[A-Za-z][A-Za-z0-9]*|[A-Za-z_.][A-Za-z0-9_.]*|\|\||&&|==|!=|<=|>=|<<|>>|[-+*/%&|^!~<>()])/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new ExpressionError(`unexpected "${text.slice(at).trim().slice(0, 12)}" in expression "${text}"`);
    tokens.push(m[1]);
    at = TOKEN.lastIndex;
  }
  if (tokens.length === 0) throw new ExpressionError('empty expression');
  return tokens;
}

export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (expected?: string): string => {
    const t = tokens[i];
    if (t === undefined || (expected !== undefined && t !== expected)) {
      throw new ExpressionError(`expected ${expected ? `"${expected}"` : 'more'} ${t === undefined ? 'at the end' : `before "${t}"`} in "${text}"`);
    }
    i++;
    return t;
  };

  const binary = (level: number): Expr => {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (peek() !== undefined && LEVELS[level].includes(peek()!)) {
      const op = take();
      left = { kind: 'binary', op, left, right: binary(level + 1) };
    }
    return left;
  };

  const castAhead = (): { size: number; name: string } | undefined => {
    const name = tokens[i + 1];
    if (tokens[i] !== '(' || name === undefined || !(name in CAST_TYPES)) return undefined;
    let j = i + 2;
    let stars = 0;
    while (tokens[j] === '*') { stars++; j++; }
    if (tokens[j] !== ')' || stars === 0) return undefined;
    i = j + 1;
    return stars === 1 ? { size: CAST_TYPES[name], name } : { size: 8, name: `${name}${'*'.repeat(stars - 1)}` };
  };

  const unary = (): Expr => {
    const t = peek();
    if (t === '-' || t === '!' || t === '~' || t === '*' || t === '&') {
      take();
      return { kind: 'unary', op: t, operand: unary() };
    }
    const cast = castAhead();
    if (cast) return { kind: 'cast', pointeeSize: cast.size, pointeeName: cast.name, operand: unary() };
    return primary();
  };

  const primary = (): Expr => {
    const t = take();
    if (t === '(') { const e = binary(0); take(')'); return e; }
    if (/^phys:/.test(t)) return { kind: 'physical', address: BigInt(t.slice(5).trim()) };
    if (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) return { kind: 'number', value: BigInt(t) };
    if (t.startsWith('$')) return { kind: 'register', name: t.slice(1).toLowerCase() };
    if (/^[A-Za-z_.]/.test(t)) return { kind: 'symbol', name: t };
    throw new ExpressionError(`unexpected "${t}" in "${text}"`);
  };

  const tree = binary(0);
  if (i < tokens.length) throw new ExpressionError(`unexpected "${tokens[i]}" in "${text}"`);
  return tree;
}
