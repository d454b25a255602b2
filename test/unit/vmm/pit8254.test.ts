// 8254 PIT: counting down at 1.193182 MHz, latching, periodic IRQ 0 edges and the next deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pit8254, PIT_FREQUENCY_HZ } from '../../../src/vmm/devices/pit8254';

const tickNs = (ticks: number) => Math.ceil((ticks * 1e9) / PIT_FREQUENCY_HZ);

function pit() {
  const clock = { ns: 1_000_000 };
  let edges = 0;
  const dev = new Pit8254(() => clock.ns, (level) => { if (level) edges++; });
  return { dev, clock, edges: () => edges };
}

function program(dev: Pit8254, mode: number, reload: number) {
  dev.write(3, 1, 0x30 | (mode << 1));     // channel 0, LSB then MSB
  dev.write(0, 1, reload & 0xff);
  dev.write(0, 1, reload >> 8);
}

test('channel 0 counts down from the reload value at the PIT frequency', () => {
  const { dev, clock } = pit();
  program(dev, 2, 1000);
  clock.ns += tickNs(100);
  dev.write(3, 1, 0x00);                   // counter latch command
  const count = dev.read(0, 1) | (dev.read(0, 1) << 8);
  assert.equal(count, 900);
  clock.ns += tickNs(50);
  assert.equal(dev.read(0, 1) | (dev.read(0, 1) << 8), 850, 'unlatched reads follow the counter');
});

test('a latched count does not move until it is read', () => {
  const { dev, clock } = pit();
  program(dev, 2, 5000);
  clock.ns += tickNs(10);
  dev.write(3, 1, 0x00);
  clock.ns += tickNs(1000);
  assert.equal(dev.read(0, 1) | (dev.read(0, 1) << 8), 4990);
});

test('mode 2 raises one IRQ 0 edge per period, and tells when the next one is due', () => {
  const { dev, clock, edges } = pit();
  program(dev, 2, 11932);                  // about 100 Hz
  assert.equal(dev.poll(), 0);
  assert.equal(dev.nsUntilNextEdge(), tickNs(11932));
  clock.ns += tickNs(11932 * 3);
  assert.equal(dev.poll(), 3);
  assert.equal(edges(), 1, 'missed periods coalesce into one edge');
  clock.ns += tickNs(11932);
  dev.poll();
  assert.equal(edges(), 2);
});

test('mode 0 fires once at terminal count', () => {
  const { dev, clock, edges } = pit();
  program(dev, 0, 100);
  clock.ns += tickNs(99);
  dev.poll();
  assert.equal(edges(), 0);
  clock.ns += tickNs(500);
  dev.poll(); dev.poll();
  assert.equal(edges(), 1);
  assert.equal(dev.nsUntilNextEdge(), undefined);
});

test('an unprogrammed channel raises nothing', () => {
  const { dev, clock, edges } = pit();
  clock.ns += 1e9;
  dev.poll();
  assert.equal(edges(), 0);
  assert.equal(dev.nsUntilNextEdge(), undefined);
});
