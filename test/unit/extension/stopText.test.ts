// The faulting address the "Open Memory at the Faulting Address" command reads from a stop's text,
// and the line ends the guest console terminal writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessedAddress } from '../../../src/extension/session/stopText';

test('the accessed address comes from the stop text of a watchpoint hit', () => {
  assert.equal(accessedAddress('write at 0x104080'), '0x104080');
  assert.equal(accessedAddress('write of 8 bytes at gva 0x116010'), undefined);
  assert.equal(accessedAddress('read at 0xffffffff81000000'), '0xffffffff81000000');
  assert.equal(accessedAddress(undefined), undefined);
  assert.equal(accessedAddress('paused'), undefined);
});
