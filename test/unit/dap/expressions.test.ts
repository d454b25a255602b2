// The expression language of evaluate, conditions and log messages: registers, memory casts,
// physical addresses, symbols, operators, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, type EvaluationContext } from '../../../src/dap/eval/expressionEvaluator';
import { ExpressionError } from '../../../src/dap/eval/expressionParser';
import { parseHitCondition, HitConditionError, interpolateLogMessage } from '../../../src/dap/watch/hitConditions';

const reads: string[] = [];
const ctx: EvaluationContext = {
  register: (n) => ({ rax: 0x10n, rcx: 64n, rsp: 0x8000n } as Record<string, bigint>)[n],
  readMemory: async (loc, size) => { reads.push(`${loc.space}:0x${loc.address.toString(16)}/${size}`); return loc.address === 0x3000n ? 0x4000n : 0x1122n; },
  lookupSymbol: (name) => name === 'guard' ? { address: 0x3000n, size: 8, pointeeSize: 32 } : name === 'main' ? { address: 0x1000n, size: 40, isCode: true } : undefined,
};

test('registers and arithmetic', async () => {
  assert.equal((await evaluate('$rax + 2*3', ctx)).value, 0x16n);
  assert.equal((await evaluate('$rcx == 64 && $rax != 0', ctx)).value, 1n);
  assert.equal((await evaluate('($rsp - 8) & 0xfff0', ctx)).value, 0x7ff0n);
});

test('memory casts read the right width, virtual or physical', async () => {
  reads.length = 0;
  const v = await evaluate('*(u16*)0x2000', ctx);
  const p = await evaluate('*(u64*)phys:0x2000', ctx);
  assert.deepEqual(reads, ['virtual:0x2000/2', 'physical:0x2000/8']);
  assert.equal(v.value, 0x1122n);
  assert.deepEqual(p.location, { space: 'physical', address: 0x2000n });
});

test('symbols: a pointer variable, its pointee, its address, and a function', async () => {
  const g = await evaluate('guard', ctx);
  assert.equal(g.value, 0x4000n);
  const pointee = await evaluate('*guard', ctx);
  assert.deepEqual(pointee.location, { space: 'virtual', address: 0x4000n });
  assert.equal(pointee.size, 32, 'the pointee type size from DWARF');
  assert.equal(pointee.value, undefined, 'a 32-byte object is not a number');
  assert.equal((await evaluate('&guard', ctx)).value, 0x3000n);
  assert.equal((await evaluate('main', ctx)).value, 0x1000n);
});

test('errors name the problem', async () => {
  await assert.rejects(evaluate('$nosuch', ctx), /unknown register \$nosuch/);
  await assert.rejects(evaluate('nosuch', ctx), /no symbol named "nosuch"/);
  await assert.rejects(evaluate('1 +', ctx), ExpressionError);
  await assert.rejects(evaluate('1 / 0', ctx), /division by zero/);
  await assert.rejects(evaluate('*guard + 1', ctx), /32-byte object/);
});

test('hit conditions and log messages', async () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].filter(parseHitCondition('>=5')), [5, 6]);
  assert.deepEqual([1, 2, 3, 4, 5, 6].filter(parseHitCondition('%3')), [3, 6]);
  assert.deepEqual([1, 2, 3].filter(parseHitCondition('2')), [2]);
  assert.throws(() => parseHitCondition('often'), HitConditionError);
  const text = await interpolateLogMessage('rax={$rax} bad={$zz}', async (e) => {
    const r = await evaluate(e, ctx);
    return `0x${r.value!.toString(16)}`;
  });
  assert.equal(text, 'rax=0x10 bad=<unknown register $zz>');
});
