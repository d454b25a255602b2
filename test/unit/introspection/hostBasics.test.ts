// The VMM's KVMI host through a real socket, smoke level: handshake contents, GET_VERSION, VM info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rig } from './support/harness';

test('the handshake carries the VM size and GET_VERSION reports v1, 8184 bytes and single-step support', async () => {
  const r = await rig([0x05]);
  try {
    assert.equal(r.conn.vm.maxGpa, 2n << 20n);
    assert.equal(r.conn.vm.name, 'kvmi-vmm');
    assert.deepEqual(await r.conn.getVersion(), { version: 1, max_msg_size: 8184, features: { singlestep: 1 } });
    assert.equal(await r.conn.getVmInfo(), 1);
  } finally {
    await r.dispose();
  }
});
