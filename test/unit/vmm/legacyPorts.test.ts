// The exit port, the i8042 reset line and the POST code port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DebugExit } from '../../../src/vmm/devices/debugExit';
import { I8042 } from '../../../src/vmm/devices/i8042';
import { DeviceStopRequest } from '../../../src/vmm/devices/deviceSignals';
import { PostCode } from '../../../src/vmm/devices/postCode';

test('any write to the exit port ends the VM with that value as status', () => {
  const stops: DeviceStopRequest[] = [];
  const dev = new DebugExit((r) => stops.push(r));
  dev.write(0, 1, 0);
  dev.write(0, 4, 0x1234);
  assert.deepEqual(stops, [{ reason: 'exitPort', status: 0 }, { reason: 'exitPort', status: 0x1234 }]);
});

test('i8042 command 0xFE resets the VM; self-test answers 0x55 through the data port', () => {
  const stops: DeviceStopRequest[] = [];
  const kbc = new I8042((r) => stops.push(r));
  assert.equal(kbc.commandPort.read(0, 1) & 1, 0, 'output buffer empty');
  kbc.commandPort.write(0, 1, 0xaa);
  assert.equal(kbc.commandPort.read(0, 1) & 1, 1);
  assert.equal(kbc.dataPort.read(0, 1), 0x55);
  assert.deepEqual(stops, []);
  kbc.commandPort.write(0, 1, 0xfe);
  assert.deepEqual(stops, [{ reason: 'reset' }]);
});

test('the POST code port swallows writes', () => {
  const dev = new PostCode();
  dev.write();
  assert.equal(dev.read(0, 1), 0xff);
});
