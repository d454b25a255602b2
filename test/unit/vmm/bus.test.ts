// Port and MMIO buses: overlap and range errors, offset delivery, the unclaimed-port rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusDevice, BusError, MmioBus, PortBus } from '../../../src/vmm/devices/bus';

function recorder(name: string) {
  const seen: string[] = [];
  const device: BusDevice = {
    name,
    read: (offset, size) => { seen.push(`r${offset}/${size}`); return 0x42; },
    write: (offset, size, value) => { seen.push(`w${offset}/${size}=${value}`); },
  };
  return { device, seen };
}

test('a range overlapping an existing device is refused with a typed error naming both', () => {
  const bus = new PortBus();
  bus.insert(0x3f8, 8, recorder('uart').device);
  assert.throws(() => bus.insert(0x3ff, 2, recorder('other').device), (e: unknown) =>
    e instanceof BusError && e.kind === 'overlap'
    && e.message === 'port bus: other at 0x3ff-0x400 overlaps uart at 0x3f8-0x3ff');
  bus.insert(0x400, 1, recorder('adjacent').device);   // touching, not overlapping
});

test('empty and out-of-space ranges are refused', () => {
  const bus = new PortBus();
  assert.throws(() => bus.insert(0x10, 0, recorder('d').device), { name: 'BusError', message: 'port bus: d asks for an empty range at 0x10' });
  assert.throws(() => bus.insert(0xffff, 2, recorder('d').device), (e: unknown) => e instanceof BusError && e.kind === 'invalidRange');
  assert.throws(() => new MmioBus().insert(-1, 4, recorder('d').device), (e: unknown) => e instanceof BusError && e.kind === 'invalidRange');
});

test('devices see offsets into their own range', () => {
  const bus = new PortBus();
  const { device, seen } = recorder('uart');
  bus.insert(0x3f8, 8, device);
  bus.write(0x3fb, 1, 0x80);
  assert.equal(bus.read(0x3fd, 1), 0x42);
  assert.deepEqual(seen, ['w3/1=128', 'r5/1']);
});

test('unclaimed reads return all-ones of the access width; writes are dropped and logged', () => {
  const bus = new PortBus();
  const log: string[] = [];
  bus.logUnclaimed = (b, dir, address, size) => log.push(`${b} ${dir} ${address.toString(16)}/${size}`);
  assert.equal(bus.read(0x1234, 1), 0xff);
  assert.equal(bus.read(0x1234, 2), 0xffff);
  assert.equal(bus.read(0x1234, 4), 0xffffffff);
  bus.write(0x1234, 1, 7);
  assert.deepEqual(log, ['port read 1234/1', 'port read 1234/2', 'port read 1234/4', 'port write 1234/1']);
});

test('the MMIO bus finds devices by guest-physical address', () => {
  const bus = new MmioBus();
  const { device } = recorder('mmio dev');
  bus.insert(0xfee00000, 0x1000, device);
  assert.deepEqual(bus.find(0xfee00030), { device, offset: 0x30 });
  assert.equal(bus.find(0xfee01000), undefined);
});
