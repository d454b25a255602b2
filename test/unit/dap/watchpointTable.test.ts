// Watchpoint table: page restrictions combine across watchpoints sharing a frame, removing one
// restores exactly what the others need, and matching is byte-precise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchpointTable, WatchpointError } from '../../../src/dap/watch/watchpointTable';
import { splitAtPages, type WatchpointSpec } from '../../../src/dap/watch/watchpoint';
import { PAGE_R, PAGE_W, PAGE_X } from '../../../src/dap/target';

const spec = (address: bigint, length: number, access: WatchpointSpec['access']): WatchpointSpec =>
  ({ origin: 'data', address, length, access, space: 'physical', label: `0x${address.toString(16)}` });
const identity = (s: WatchpointSpec) => splitAtPages(s.address, s.length).map((p) => ({ gpa: p.start, length: p.length }));
const add = (t: WatchpointTable, s: WatchpointSpec) => t.add(s, identity(s));

test('a write watchpoint clears W on its frame only', () => {
  const t = new WatchpointTable();
  add(t, spec(0x5008n, 4, 'write'));
  assert.deepEqual(t.pendingChanges(), [{ gpa: 0x5000n, access: PAGE_R | PAGE_X }]);
  assert.deepEqual(t.pendingChanges(), [], 'nothing changes twice');
});

test('watchpoints sharing a frame combine, and removing one restores what the other needs', () => {
  const t = new WatchpointTable();
  const w = add(t, spec(0x5000n, 8, 'write'));
  add(t, spec(0x5100n, 8, 'read'));
  assert.deepEqual(t.pendingChanges(), [{ gpa: 0x5000n, access: PAGE_X }]);
  t.remove(w.id);
  assert.deepEqual(t.pendingChanges(), [{ gpa: 0x5000n, access: PAGE_W | PAGE_X }]);
  t.clear();
  assert.deepEqual(t.pendingChanges(), [{ gpa: 0x5000n, access: 7 }]);
});

test('a range crossing a page boundary restricts both frames', () => {
  const t = new WatchpointTable();
  add(t, spec(0x5ffcn, 8, 'readWrite'));
  assert.deepEqual(t.pendingChanges().map((c) => c.gpa), [0x5000n, 0x6000n]);
});

test('matching is byte-precise and respects the access kind', () => {
  const t = new WatchpointTable();
  const w = add(t, spec(0x5008n, 4, 'write'));
  assert.deepEqual(t.matching(0x5000n, 8, PAGE_W), [], 'bytes 0..7 end just before the watched range');
  assert.deepEqual(t.matching(0x5004n, 8, PAGE_W).map((x) => x.id), [w.id], 'bytes 4..11 overlap it');
  assert.deepEqual(t.matching(0x500bn, 1, PAGE_W).map((x) => x.id), [w.id], 'the last watched byte');
  assert.deepEqual(t.matching(0x500cn, 1, PAGE_W), [], 'the byte after it');
  assert.deepEqual(t.matching(0x5008n, 4, PAGE_R), [], 'a read does not match a write watchpoint');
});

test('an empty watchpoint is refused with a clear error', () => {
  assert.throws(() => add(new WatchpointTable(), spec(0x5000n, 0, 'write')), WatchpointError);
});
