// 8259 PIC pair: initialisation words, vector offset, masking, EOI and cascading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PicPair } from '../../../src/vmm/devices/pic8259';

/** The usual remap sequence: ICW1 0x11, ICW2 base, ICW3, ICW4 8086 mode. */
function initialise(pic: PicPair, masterBase: number, slaveBase: number, icw4 = 0x01) {
  pic.master.write(0, 1, 0x11); pic.master.write(1, 1, masterBase); pic.master.write(1, 1, 0x04); pic.master.write(1, 1, icw4);
  pic.slave.write(0, 1, 0x11); pic.slave.write(1, 1, slaveBase); pic.slave.write(1, 1, 0x02); pic.slave.write(1, 1, icw4);
}

test('ICW2 sets the vector offset delivered for each IRQ', () => {
  const pic = new PicPair();
  initialise(pic, 0x20, 0x28);
  pic.setIrq(1, true);
  assert.equal(pic.acknowledge(), 0x21);
  pic.setIrq(12, true);
  pic.master.write(0, 1, 0x20);                           // EOI for IRQ 1
  assert.equal(pic.acknowledge(), 0x2c);
});

test('a masked IRQ is held in IRR and delivered once unmasked', () => {
  const intr: boolean[] = [];
  const pic = new PicPair((l) => intr.push(l));
  initialise(pic, 0x20, 0x28);
  pic.master.write(1, 1, 0xff);                           // OCW1: mask all
  pic.setIrq(0, true); pic.setIrq(0, false);
  assert.equal(pic.hasInterrupt(), false);
  assert.equal(pic.master.read(0, 1), 0x01, 'IRR read by default');
  assert.equal(pic.master.read(1, 1), 0xff, 'IMR read at the data port');
  pic.master.write(1, 1, 0xfe);
  assert.equal(pic.hasInterrupt(), true);
  assert.equal(intr.at(-1), true);
  assert.equal(pic.acknowledge(), 0x20);
});

test('an in-service IRQ blocks equal and lower priorities until EOI', () => {
  const pic = new PicPair();
  initialise(pic, 0x20, 0x28);
  pic.setIrq(3, true);
  assert.equal(pic.acknowledge(), 0x23);
  pic.master.write(0, 1, 0x0b);                           // OCW3: read ISR
  assert.equal(pic.master.read(0, 1), 0x08);
  pic.setIrq(4, true);
  assert.equal(pic.acknowledge(), undefined, 'IRQ 4 waits behind IRQ 3 in service');
  pic.setIrq(0, true);
  assert.equal(pic.acknowledge(), 0x20, 'higher priority IRQ 0 nests');
  pic.master.write(0, 1, 0x20);                           // non-specific EOI clears IRQ 0
  pic.master.write(0, 1, 0x63);                           // specific EOI for IRQ 3
  assert.equal(pic.master.read(0, 1), 0x00);
  assert.equal(pic.acknowledge(), 0x24);
});

test('auto-EOI mode leaves nothing in service', () => {
  const pic = new PicPair();
  initialise(pic, 0x40, 0x48, 0x03);
  pic.setIrq(5, true);
  assert.equal(pic.acknowledge(), 0x45);
  pic.master.write(0, 1, 0x0b);
  assert.equal(pic.master.read(0, 1), 0);
});

test('a level held high raises one request, not one per poll (edge triggered)', () => {
  const pic = new PicPair();
  initialise(pic, 0x20, 0x28, 0x03);
  pic.setIrq(4, true);
  assert.equal(pic.acknowledge(), 0x24);
  pic.setIrq(4, true);
  assert.equal(pic.acknowledge(), undefined);
});
