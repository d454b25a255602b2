// Motorola MC146818 real-time clock and CMOS RAM (ports 0x70 index, 0x71 data). Time registers
// are read from an injected wall clock (UTC) in the format status register B selects (BCD or
// binary, 12/24 h); writes to them are accepted and ignored. Status A never shows an update in
// progress, C has no interrupt flags, D reports valid RAM. Other indices are plain CMOS RAM bytes.
// Names follow the MC146818A datasheet ("Address Map", "Register A-D").
import { AccessSize, BusDevice } from './bus';

export const CMOS_INDEX_PORT = 0x70;
export const CMOS_PORT_COUNT = 2;

export const RTC_SECONDS = 0x00;
export const RTC_MINUTES = 0x02;
export const RTC_HOURS = 0x04;
export const RTC_DAY_OF_WEEK = 0x06;
export const RTC_DAY_OF_MONTH = 0x07;
export const RTC_MONTH = 0x08;
export const RTC_YEAR = 0x09;
export const RTC_REG_A = 0x0a;
export const RTC_REG_B = 0x0b;
export const RTC_REG_C = 0x0c;
export const RTC_REG_D = 0x0d;
export const CMOS_CENTURY = 0x32;      // IBM PC convention (ACPI FADT "century" default)

export const REG_A_DIVIDER_32KHZ = 0x20;
export const REG_A_RATE_1KHZ = 0x06;
export const REG_B_24H = 0x02;
export const REG_B_BINARY = 0x04;
export const REG_D_VRT = 0x80;
const INDEX_MASK = 0x7f;               // bit 7 of the index port is the NMI-disable bit

const toBcd = (n: number) => ((Math.floor(n / 10) << 4) | (n % 10)) & 0xff;

export class CmosRtc implements BusDevice {
  readonly name = 'MC146818 RTC/CMOS';
  private readonly ram = new Uint8Array(128);
  private index = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {
    this.ram[RTC_REG_A] = REG_A_DIVIDER_32KHZ | REG_A_RATE_1KHZ;
    this.ram[RTC_REG_B] = REG_B_24H;
  }

  read(offset: number, _size: AccessSize): number {
    if (offset === 0) return 0xff;           // the index register is write-only
    return this.readRegister(this.index);
  }

  write(offset: number, _size: AccessSize, value: number): void {
    if (offset === 0) { this.index = value & INDEX_MASK; return; }
    const v = value & 0xff;
    if (this.index === RTC_REG_A) this.ram[RTC_REG_A] = v & 0x7f;   // UIP is read-only
    else if (this.index === RTC_REG_B) this.ram[RTC_REG_B] = v;
    else if (this.index === RTC_REG_C || this.index === RTC_REG_D || this.isTimeRegister(this.index)) return;
    else this.ram[this.index] = v;
  }

  private isTimeRegister(i: number): boolean {
    return i <= RTC_YEAR || i === CMOS_CENTURY;
  }

  private readRegister(i: number): number {
    switch (i) {
      case RTC_REG_A: return this.ram[RTC_REG_A];     // UIP (bit 7) is never set
      case RTC_REG_B: return this.ram[RTC_REG_B];
      case RTC_REG_C: return 0;                       // no periodic/alarm/update interrupts
      case RTC_REG_D: return REG_D_VRT;
      default: return this.isTimeRegister(i) ? this.timeField(i) : this.ram[i];
    }
  }

  private timeField(i: number): number {
    const d = this.clock();
    const b = this.ram[RTC_REG_B];
    const enc = (n: number) => (b & REG_B_BINARY ? n : toBcd(n));
    switch (i) {
      case RTC_SECONDS: return enc(d.getUTCSeconds());
      case RTC_MINUTES: return enc(d.getUTCMinutes());
      case RTC_HOURS: return this.hours(d.getUTCHours(), b, enc);
      case RTC_DAY_OF_WEEK: return enc(d.getUTCDay() + 1);
      case RTC_DAY_OF_MONTH: return enc(d.getUTCDate());
      case RTC_MONTH: return enc(d.getUTCMonth() + 1);
      case RTC_YEAR: return enc(d.getUTCFullYear() % 100);
      case CMOS_CENTURY: return enc(Math.floor(d.getUTCFullYear() / 100));
      default: return 0;                              // alarm registers 1, 3, 5: no alarm
    }
  }

  /** 24-hour or 12-hour (bit 7 = PM) hour register. */
  private hours(h: number, b: number, enc: (n: number) => number): number {
    if (b & REG_B_24H) return enc(h);
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return enc(h12) | (h >= 12 ? 0x80 : 0);
  }
}
