// 64 x 64 -> 128-bit products of exec/wideArith.ts (used by 32/64-bit MUL and IMUL) checked against
// bigint arithmetic on edge operands and a deterministic pseudo-random sample.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imulTruncated64, mulS64, mulU64, product } from '../../../src/vmm/x86/exec/wideArith';

const EDGES = [0n, 1n, 2n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0x123456789abcdef0n];

function sample(): bigint[] {
  const out = [...EDGES];
  let x = 0x9e3779b97f4a7c15n;
  for (let k = 0; k < 300; k++) {
    x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
    out.push(x >> BigInt(k % 64));
  }
  return out;
}

function halves(v: bigint): [number, number] {
  return [Number(v & 0xffffffffn), Number(v >> 32n)];
}

function productValue(): bigint {
  return BigInt(product[0]) | (BigInt(product[1]) << 32n) | (BigInt(product[2]) << 64n) | (BigInt(product[3]) << 96n);
}

test('unsigned 64-bit products equal bigint products', () => {
  const values = sample();
  for (const a of values) for (const b of values.slice(0, 60)) {
    const [al, ah] = halves(a), [bl, bh] = halves(b);
    mulU64(al, ah, bl, bh);
    assert.equal(productValue(), a * b, `${a} * ${b}`);
  }
});

test('signed 64-bit products equal bigint products in two\'s complement', () => {
  const values = sample();
  for (const a of values) for (const b of values.slice(0, 60)) {
    const [al, ah] = halves(a), [bl, bh] = halves(b);
    mulS64(al, ah, bl, bh);
    const expected = BigInt.asUintN(128, BigInt.asIntN(64, a) * BigInt.asIntN(64, b));
    assert.equal(productValue(), expected, `${BigInt.asIntN(64, a)} * ${BigInt.asIntN(64, b)}`);
  }
});

test('the truncating 64-bit IMUL gives the low 64 bits and overflows exactly when the signed product does not fit', () => {
  const values = [...sample(), 0x7fffffffn * 2n, 0xb504f333n, 0xb504f334n, 0x100000001n, 0xfffffffeffffffffn];
  let overflows = 0;
  for (const a of values) for (const b of values.slice(0, 80)) {
    const [al, ah] = halves(a), [bl, bh] = halves(b);
    const full = BigInt.asIntN(64, a) * BigInt.asIntN(64, b);
    const low = imulTruncated64(al, ah, bl, bh);
    const expectedOverflow = BigInt.asIntN(64, full) !== full ? 1 : 0;
    assert.equal(BigInt(low) | (BigInt(product[1]) << 32n), BigInt.asUintN(64, full), `${BigInt.asIntN(64, a)} * ${BigInt.asIntN(64, b)}`);
    assert.equal(product[2], expectedOverflow, `overflow of ${BigInt.asIntN(64, a)} * ${BigInt.asIntN(64, b)}`);
    overflows += expectedOverflow;
  }
  assert.ok(overflows > 100, 'the sample has overflowing products');
});
