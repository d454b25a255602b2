// KVM's view of guest RAM (src/vmm/kvm/pageProtection.ts), read back from /proc/self/maps: hidden
// frames become inaccessible and come back when no longer hidden (sync() applies only the frames
// whose hiding changed), a write-restricted frame becomes read-only, and the VMM's own mapping stays
// writable; past its budget of host mappings a change waits and overLimit is set. Needs koffi's libc
// (Linux); no /dev/kvm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PAGE_ACCESS_ALL, PAGE_ACCESS_R, PAGE_ACCESS_X } from '../../../src/vmm/engine/engine';
import { GuestMemory } from '../../../src/vmm/kvm/guestMemory';
import { libcUnavailable } from '../../../src/vmm/kvm/libc';
import { PageProtection } from '../../../src/vmm/kvm/pageProtection';

const FRAMES = 16;
const skip = libcUnavailable();

/** The permissions ("rw-", "r--", "---") of each frame of the mapping at `address`, from /proc/self/maps. */
function framePermissions(address: bigint): string[] {
  const out = new Array<string>(FRAMES).fill('?');
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{3})/.exec(line);
    if (!m) continue;
    const [from, to] = [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`)];
    for (let f = 0; f < FRAMES; f++) {
      const at = address + BigInt(f * 4096);
      if (at >= from && at < to) out[f] = m[3];
    }
  }
  return out;
}

const expect = (special: Record<number, string>) => Array.from({ length: FRAMES }, (_, f) => special[f] ?? 'rw-');

test('hidden frames are inaccessible until unhidden, a write-restricted frame is read-only', { skip }, () => {
  const memory = new GuestMemory(FRAMES * 4096);
  try {
    const access = new Uint8Array(FRAMES).fill(PAGE_ACCESS_ALL);
    const protection = new PageProtection(memory.kvmMapping.address, access);
    protection.setHidden([3, 4, 9]);
    protection.sync();
    assert.deepEqual(framePermissions(memory.kvmMapping.address), expect({ 3: '---', 4: '---', 9: '---' }));
    assert.equal(protection.anyRestricted, true);

    protection.setHidden([4, 10]);
    protection.sync();
    assert.deepEqual(framePermissions(memory.kvmMapping.address), expect({ 4: '---', 10: '---' }));

    access[12] = PAGE_ACCESS_R | PAGE_ACCESS_X;
    protection.syncAll();
    protection.unhide(4);
    protection.sync();
    assert.deepEqual(framePermissions(memory.kvmMapping.address), expect({ 10: '---', 12: 'r--' }));

    access.fill(PAGE_ACCESS_R | PAGE_ACCESS_X, 5, 9);     // a batch, applied by one syncAll
    protection.syncAll();
    assert.deepEqual(framePermissions(memory.kvmMapping.address), expect({ 5: 'r--', 6: 'r--', 7: 'r--', 8: 'r--', 10: '---', 12: 'r--' }));

    protection.setHidden([]);
    access.fill(PAGE_ACCESS_ALL);
    protection.syncAll();
    assert.deepEqual(framePermissions(memory.kvmMapping.address), expect({}));
    assert.equal(protection.anyRestricted, false);
    assert.deepEqual(framePermissions(memory.vmmMapping.address), expect({}), "the VMM's own mapping is never restricted");
  } finally {
    memory.releaseKvmSide();
  }
});

test('past its budget of mappings a restriction waits, overLimit says so, and it is applied once room is made', { skip }, () => {
  const memory = new GuestMemory(FRAMES * 4096);
  try {
    const access = new Uint8Array(FRAMES).fill(PAGE_ACCESS_ALL);
    const protection = new PageProtection(memory.kvmMapping.address, access, 4);   // room for two isolated frames
    for (const f of [1, 3, 5]) access[f] = PAGE_ACCESS_R | PAGE_ACCESS_X;
    protection.syncAll();
    assert.equal(protection.overLimit, true);
    assert.deepEqual(framePermissions(memory.kvmMapping.address), expect({ 1: 'r--', 3: 'r--' }));

    access[4] = PAGE_ACCESS_R | PAGE_ACCESS_X;             // 3-5 become one run: no new mapping needed
    access[1] = PAGE_ACCESS_ALL;
    protection.syncAll();
    assert.equal(protection.overLimit, false);
    assert.deepEqual(framePermissions(memory.kvmMapping.address), expect({ 3: 'r--', 4: 'r--', 5: 'r--' }));
  } finally {
    memory.releaseKvmSide();
  }
});
