// MC146818 RTC/CMOS: time registers in BCD and binary, 12-hour mode, status registers A-D, RAM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CmosRtc } from '../../../src/vmm/devices/cmosRtc';

const at = new Date(Date.UTC(2026, 10, 22, 21, 7, 45));   // Sunday 22 Nov 2026 21:07:45 UTC

function reg(rtc: CmosRtc, index: number): number {
  rtc.write(0, 1, index);
  return rtc.read(1, 1);
}

test('time registers read as BCD by default', () => {
  const rtc = new CmosRtc(() => at);
  assert.deepEqual([0x00, 0x02, 0x04, 0x06, 0x07, 0x08, 0x09, 0x32].map((i) => reg(rtc, i)),
    [0x45, 0x07, 0x21, 0x01, 0x22, 0x11, 0x26, 0x20]);
});

test('status B selects binary and 12-hour formats', () => {
  const rtc = new CmosRtc(() => at);
  rtc.write(0, 1, 0x0b); rtc.write(1, 1, 0x04);               // binary, 12-hour
  assert.equal(reg(rtc, 0x00), 45);
  assert.equal(reg(rtc, 0x04), 0x80 | 9, '9 PM');
  rtc.write(0, 1, 0x0b); rtc.write(1, 1, 0x06);               // binary, 24-hour
  assert.equal(reg(rtc, 0x04), 21);
});

test('status registers: A without update-in-progress, B as written, C clear, D valid RAM', () => {
  const rtc = new CmosRtc(() => at);
  assert.equal(reg(rtc, 0x0a), 0x26);
  assert.equal(reg(rtc, 0x0b), 0x02);
  assert.equal(reg(rtc, 0x0c), 0x00);
  assert.equal(reg(rtc, 0x0d), 0x80);
});

test('other indices are CMOS RAM; the NMI-disable bit of the index is ignored', () => {
  const rtc = new CmosRtc(() => at);
  rtc.write(0, 1, 0x80 | 0x40); rtc.write(1, 1, 0x99);
  assert.equal(reg(rtc, 0x40), 0x99);
  rtc.write(0, 1, 0x00); rtc.write(1, 1, 0x12);               // time writes are ignored
  assert.equal(reg(rtc, 0x00), 0x45);
});
