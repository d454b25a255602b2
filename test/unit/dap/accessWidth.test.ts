// Access width from the instruction at RIP: the operand size of the access the PF event reports,
// the element size of string instructions, and the range of a REP prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessedRange } from '../../../src/dap/watch/accessWidth';
import { PAGE_R, PAGE_W, PAGE_X } from '../../../src/dap/target';

test('mov [rdi], rax writes 8 bytes', () => {
  const r = accessedRange(new Uint8Array([0x48, 0x89, 0x07]), 64, 0x1000n, PAGE_W);
  assert.equal(r.width, 8);
  assert.equal(r.source, 'operand');
  assert.match(r.instruction ?? '', /mov/);
});

test('mov [rdx+rcx], al writes 1 byte; reading it back reads 1 byte', () => {
  assert.equal(accessedRange(new Uint8Array([0x88, 0x04, 0x0a]), 64, 0n, PAGE_W).width, 1);
  assert.equal(accessedRange(new Uint8Array([0x8a, 0x04, 0x0a]), 64, 0n, PAGE_R).width, 1);
});

test('add dword [rax], 1 is read as 4 bytes and written as 4 bytes', () => {
  const code = new Uint8Array([0x83, 0x00, 0x01]);
  assert.equal(accessedRange(code, 64, 0n, PAGE_R).width, 4);
  assert.equal(accessedRange(code, 64, 0n, PAGE_W).width, 4);
});

test('rep movsq writes 8-byte elements and covers RCX of them', () => {
  const r = accessedRange(new Uint8Array([0xf3, 0x48, 0xa5]), 64, 0n, PAGE_W, 10n);
  assert.equal(r.width, 8);
  assert.equal(r.source, 'stringElement');
  assert.equal(r.repeatBytes, 80n);
});

test('execute faults count the instruction start only; undecodable bytes fall back to 1', () => {
  assert.equal(accessedRange(new Uint8Array([0x90]), 64, 0n, PAGE_X).width, 1);
  assert.deepEqual(accessedRange(new Uint8Array([]), 64, 0n, PAGE_W), { width: 1, source: 'unknown' });
});
