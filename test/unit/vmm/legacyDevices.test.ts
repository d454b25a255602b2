// The PC port map as wired by the machine: COM1, the exit port, i8042 reset, PIT -> PIC -> INTR,
// CMOS, POST code and the all-ones rule for ports nobody claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusError } from '../../../src/vmm/devices/bus';
import { DeviceStopRequest } from '../../../src/vmm/devices/deviceSignals';
import { Uart16550 } from '../../../src/vmm/devices/uart16550';
import { buildLegacyDevices } from '../../../src/vmm/machine/legacyDevices';

function machine() {
  const out: number[] = [];
  const stops: DeviceStopRequest[] = [];
  const clock = { ns: 0 };
  const d = buildLegacyDevices({ serialSink: (b) => out.push(b), stop: (r) => stops.push(r), now: () => clock.ns, wallClock: () => new Date(0) });
  return { d, out, stops, clock };
}

test('COM1 at 0x3f8 transmits, 0xf4 ends the VM, 0x64 command 0xfe resets it', () => {
  const { d, out, stops } = machine();
  d.portBus.write(0x3f8, 1, 0x41);
  assert.equal(d.portBus.read(0x3fd, 1), 0x60);
  d.portBus.write(0xf4, 4, 2);
  d.portBus.write(0x64, 1, 0xfe);
  assert.deepEqual(out, [0x41]);
  assert.deepEqual(stops, [{ reason: 'exitPort', status: 2 }, { reason: 'reset' }]);
});

test('unclaimed ports read all-ones and are logged; the POST port is claimed and silent', () => {
  const { d } = machine();
  const log: string[] = [];
  d.portBus.logUnclaimed = (_b, dir, address) => log.push(`${dir} ${address.toString(16)}`);
  assert.equal(d.portBus.read(0x2f8, 1), 0xff, 'COM2 is absent');
  assert.equal(d.portBus.read(0x61, 1), 0xff, 'port 0x61 between the i8042 ports is not claimed');
  d.portBus.write(0x80, 1, 0x12);
  assert.deepEqual(log, ['read 2f8', 'read 61']);
});

test('the PIT on IRQ 0 reaches the CPU INTR line through the remapped PIC', () => {
  const { d, clock } = machine();
  const intr: boolean[] = [];
  d.pic.intr = (level) => intr.push(level);
  for (const [port, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 0x04], [0x21, 0x01], [0x21, 0xfe]]) d.portBus.write(port, 1, v);
  d.portBus.write(0x43, 1, 0x34);
  d.portBus.write(0x40, 1, 0x9c); d.portBus.write(0x40, 1, 0x2e);       // 11932: about 100 Hz
  clock.ns += 20_000_000;
  d.pit.poll();
  assert.equal(intr.at(-1), true);
  assert.equal(d.pic.acknowledge(), 0x20);
});

test('the CMOS answers at 0x70/0x71', () => {
  const { d } = machine();
  d.portBus.write(0x70, 1, 0x09);
  assert.equal(d.portBus.read(0x71, 1), 0x70, '1970 in BCD');
});

test('a second device on COM1 ports is refused by the bus', () => {
  const { d } = machine();
  assert.throws(() => d.portBus.insert(0x3f8, 8, new Uart16550(() => {})), (e: unknown) => e instanceof BusError && e.kind === 'overlap');
});
