// Intel 8254 programmable interval timer (ports 0x40-0x43): three 16-bit down-counters clocked at
// 1.193182 MHz; channel 0's output drives IRQ 0. Time comes from an injected nanosecond clock, and
// the owner calls poll() to turn elapsed periods into IRQ 0 edges. Modes 0 (interrupt on terminal
// count), 2 (rate generator) and 3 (square wave, counted like mode 2) are modelled; the read-back
// command and the gate inputs (port 0x61) are not. Names follow the 8254 datasheet.
import { AccessSize, BusDevice } from './bus';
import { IrqLine } from './deviceSignals';

export const PIT_BASE_PORT = 0x40;
export const PIT_PORT_COUNT = 4;
export const PIT_CONTROL_WORD = 3;          // offset of the control word register
export const PIT_FREQUENCY_HZ = 1_193_182;

// Control word fields (datasheet "Control Word Format").
const CW_SC_SHIFT = 6;        // SC1:SC0 select counter (3 = read-back, unsupported)
const CW_RW_SHIFT = 4;        // RW1:RW0: 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB
const CW_M_SHIFT = 1;         // M2:M0 mode
const RW_LATCH = 0, RW_LSB = 1, RW_MSB = 2, RW_BOTH = 3;

/** A nanosecond clock. */
export type NsClock = () => number;

class Counter {
  mode = 0;
  rw = RW_BOTH;
  reload = 0x10000;
  armed = false;            // a full count was written since the mode was set
  startNs = 0;
  edgesDelivered = 0;
  latched: number[] = [];   // bytes waiting to be read after a latch (LSB first)
  writeMsbNext = false;
  readMsbNext = false;
  pendingLsb = 0;

  ticks(now: number): number {
    return Math.floor(((now - this.startNs) * PIT_FREQUENCY_HZ) / 1e9);
  }

  count(now: number): number {
    if (!this.armed) return this.reload & 0xffff;
    const t = this.ticks(now);
    if (this.mode === 0) return (this.reload - t) & 0xffff;
    return (this.reload - (t % this.reload)) & 0xffff;
  }

  /** Output edges (IRQ 0 events) from start to `now`. */
  edges(now: number): number {
    if (!this.armed) return 0;
    const t = this.ticks(now);
    if (this.mode === 0) return t >= this.reload ? 1 : 0;
    return Math.floor(t / this.reload);
  }
}

export class Pit8254 implements BusDevice {
  readonly name = '8254 PIT';
  private readonly counters = [new Counter(), new Counter(), new Counter()];

  constructor(private readonly now: NsClock, private readonly irq0: IrqLine = () => {}) {}

  read(offset: number, _size: AccessSize): number {
    if (offset >= PIT_CONTROL_WORD) return 0xff;
    const c = this.counters[offset];
    if (c.latched.length > 0) return c.latched.shift()!;
    const value = c.count(this.now());
    if (c.rw === RW_MSB) return value >> 8;
    if (c.rw === RW_LSB) return value & 0xff;
    c.readMsbNext = !c.readMsbNext;
    return c.readMsbNext ? value & 0xff : value >> 8;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const v = value & 0xff;
    if (offset === PIT_CONTROL_WORD) this.writeControlWord(v);
    else this.writeCount(this.counters[offset], v);
  }

  /** Raises one IRQ 0 edge if channel 0 completed any period since the last poll; returns how many. */
  poll(): number {
    const c = this.counters[0];
    const edges = c.edges(this.now());
    const fresh = edges - c.edgesDelivered;
    if (fresh <= 0) return 0;
    c.edgesDelivered = edges;
    this.irq0(true);
    this.irq0(false);
    return fresh;
  }

  /** Nanoseconds until channel 0's next output edge, or undefined if none is scheduled. */
  nsUntilNextEdge(): number | undefined {
    const c = this.counters[0];
    if (!c.armed || (c.mode === 0 && c.edgesDelivered > 0)) return undefined;
    const next = (c.edgesDelivered + 1) * c.reload;
    const at = c.startNs + Math.ceil((next * 1e9) / PIT_FREQUENCY_HZ);
    return Math.max(0, at - this.now());
  }

  private writeControlWord(v: number): void {
    const sc = v >> CW_SC_SHIFT;
    if (sc === 3) return;                         // read-back command: not modelled
    const c = this.counters[sc];
    const rw = (v >> CW_RW_SHIFT) & 3;
    if (rw === RW_LATCH) {
      const value = c.count(this.now());
      c.latched = c.rw === RW_LSB ? [value & 0xff] : c.rw === RW_MSB ? [value >> 8] : [value & 0xff, value >> 8];
      return;
    }
    c.rw = rw;
    c.mode = ((v >> CW_M_SHIFT) & 7) > 5 ? ((v >> CW_M_SHIFT) & 3) : (v >> CW_M_SHIFT) & 7;   // 6,7 alias 2,3
    c.armed = false;
    c.writeMsbNext = false;
    c.readMsbNext = false;
  }

  private writeCount(c: Counter, v: number): void {
    let reload: number;
    if (c.rw === RW_LSB) reload = v;
    else if (c.rw === RW_MSB) reload = v << 8;
    else if (!c.writeMsbNext) { c.pendingLsb = v; c.writeMsbNext = true; return; }
    else { reload = c.pendingLsb | (v << 8); c.writeMsbNext = false; }
    c.reload = reload === 0 ? 0x10000 : reload;
    c.startNs = this.now();
    c.edgesDelivered = 0;
    c.armed = true;
  }
}
