// Low-level decoding without a compiler: LEB128 against the DWARF 5 examples (Figures 7.3-7.4),
// truncated reads as typed errors, and the DWARF expression machine on the x86-64 PLT CFA rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader } from '../../../src/dap/debuginfo/byteReader';
import { DebugInfoError, evaluateExpression } from '../../../src/dap/debuginfo/index';

test('unsigned and signed LEB128 decode the DWARF 5 example values', () => {
  const unsigned: Array<[number[], number]> = [[[2], 2], [[127], 127], [[0x80, 1], 128], [[0x81, 1], 129], [[0x82, 1], 130], [[0xb9, 0x64], 12857]];
  for (const [bytes, value] of unsigned) {
    assert.equal(new ByteReader(new Uint8Array(bytes)).uleb(), value);
    assert.equal(new ByteReader(new Uint8Array(bytes)).ulebBig(), BigInt(value));
  }
  const signed: Array<[number[], number]> = [[[2], 2], [[0x7e], -2], [[0xff, 0], 127], [[0x81, 0x7f], -127], [[0x80, 1], 128], [[0x80, 0x7f], -128], [[0x81, 1], 129], [[0xff, 0x7e], -129]];
  for (const [bytes, value] of signed) {
    assert.equal(new ByteReader(new Uint8Array(bytes)).sleb(), value);
    assert.equal(new ByteReader(new Uint8Array(bytes)).slebBig(), BigInt(value));
  }
  const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  assert.equal(new ByteReader(new Uint8Array(max)).ulebBig(), 0xffffffffffffffffn);
});

test('reads past the end raise DebugInfoError("truncated"), never RangeError', () => {
  const reader = new ByteReader(new Uint8Array([0x80, 0x80]), true, 0, '.debug_test');
  assert.throws(() => reader.uleb(), (e: unknown) => e instanceof DebugInfoError && e.kind === 'truncated' && /\.debug_test/.test(e.message));
  assert.throws(() => new ByteReader(new Uint8Array(3)).u32(), (e: unknown) => e instanceof DebugInfoError && e.kind === 'truncated');
  assert.throws(() => new ByteReader(new Uint8Array([0x41, 0x42])).cstring(), (e: unknown) => e instanceof DebugInfoError && e.kind === 'truncated');
  const length = new ByteReader(new Uint8Array([0x10, 0, 0, 0, 1, 2]));
  assert.throws(() => length.initialLength(), (e: unknown) => e instanceof DebugInfoError && e.kind === 'truncated');
});

test('the PLT CFA expression gives rsp+8 before the push and rsp+16 after it', async () => {
  // DW_OP_breg7 (rsp) 8; DW_OP_breg16 (rip) 0; DW_OP_lit15; DW_OP_and; DW_OP_lit11; DW_OP_ge;
  // DW_OP_lit3; DW_OP_shl; DW_OP_plus -- what gcc/ld emit for .plt entries.
  const expression = new Uint8Array([0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22]);
  const at = (rip: bigint) => evaluateExpression(expression, {
    addressSize: 8, readMemory: () => undefined,
    register: (n) => (n === 7 ? 0x7ffc0000n : n === 16 ? rip : undefined),
  });
  assert.equal(await at(0x1026n), 0x7ffc0008n);
  assert.equal(await at(0x102bn), 0x7ffc0010n);
  await assert.rejects(evaluateExpression(new Uint8Array([0x22]), { addressSize: 8, readMemory: () => undefined, register: () => undefined }),
    (e: unknown) => e instanceof DebugInfoError && e.kind === 'malformed');
});

test('DW_OP_deref reads through the memory callback', async () => {
  // DW_OP_breg6 (rbp) 0; DW_OP_deref; DW_OP_plus_uconst 16
  const value = await evaluateExpression(new Uint8Array([0x76, 0x00, 0x06, 0x23, 0x10]), {
    addressSize: 8, register: (n) => (n === 6 ? 0x5000n : undefined),
    readMemory: (address) => (address === 0x5000n ? 0x6000n : undefined),
  });
  assert.equal(value, 0x6010n);
});
