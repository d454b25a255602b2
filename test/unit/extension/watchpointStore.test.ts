// The workspace's watchpoint list: persisted (a new store on the same state sees the same list, as
// after a window reload), one entry per range and access, session ids never persisted, and the
// hover text a user reads in the gutter and the Watchpoints view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeWatchpoint } from '../../../src/extension/watch/storedWatchpoint';
import { storageKey, WatchpointStore, type KeyValueState } from '../../../src/extension/watch/watchpointStore';

function memoryState(): KeyValueState & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: <T>(key: string) => structuredClone(data.get(key)) as T | undefined,
    update: async (key: string, value: unknown) => { data.set(key, structuredClone(value)); },
  };
}

test('watchpoints survive a reload: a second store on the same state has them, without session ids', async () => {
  const state = memoryState();
  const first = new WatchpointStore(state);
  const w = await first.add({ label: 'guard', address: '0x116010', size: 8, access: 'write', source: { path: '/g/main.c', line: 62 } });
  await first.update(w.key, { adapterId: 7, hits: 2 });
  await first.add({ label: 'heap_arena', address: '0x104000', size: 4096, access: 'read' });
  const reloaded = new WatchpointStore(state);
  assert.deepEqual(reloaded.all.map((x) => [x.label, x.address, x.size, x.access, x.hits, x.adapterId]),
    [['guard', '0x116010', 8, 'write', 2, undefined], ['heap_arena', '0x104000', 4096, 'read', 0, undefined]]);
  assert.equal((state.data.get(storageKey) as object[]).some((x) => 'adapterId' in x), false);
  const third = await reloaded.add({ label: 'x', address: '0x1', size: 1, access: 'execute' });
  assert.ok(!first.all.some((x) => x.key === third.key), 'keys stay unique after a reload');
});

test('adding the same range and access twice keeps one watchpoint; another access is a second one', async () => {
  const store = new WatchpointStore(memoryState());
  let changes = 0;
  store.onDidChange(() => changes++);
  const a = await store.add({ label: 'guard', address: '0x116010', size: 8, access: 'write' });
  const b = await store.add({ label: 'again', address: '0x116010', size: 8, access: 'write' });
  await store.add({ label: 'guard', address: '0x116010', size: 8, access: 'read' });
  assert.equal(a.key, b.key);
  assert.equal(store.all.length, 2);
  assert.equal(changes, 2);
  await store.remove(a.key);
  assert.deepEqual(store.all.map((x) => x.access), ['read']);
});

test('hover text gives the range, size, condition and hit count', () => {
  assert.equal(describeWatchpoint({ key: 'w1', label: '*guard', address: '0x104080', size: 32, access: 'write', enabled: true, hits: 1 }),
    '*guard: writes at 0x104080..0x10409f (32 bytes), 1 hit');
  assert.equal(describeWatchpoint({ key: 'w2', label: 'flag', address: '0x10', size: 1, access: 'readWrite', enabled: false, hits: 0, condition: 'i == 3' }),
    'flag: reads and writes at 0x10..0x10 (1 byte), when i == 3, 0 hits (disabled)');
});
