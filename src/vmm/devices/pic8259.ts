// Intel 8259A programmable interrupt controller, as the PC's cascaded pair: master at 0x20/0x21,
// slave at 0xA0/0xA1 on master IRQ 2. Modelled: ICW1-ICW4 initialisation (vector offset, auto-EOI),
// OCW1 interrupt mask, OCW2 non-specific and specific EOI, OCW3 IRR/ISR read select, edge-triggered
// requests with fixed priority (IRQ 0 highest). Rotation, special mask and poll mode are not.
// Names follow the 8259A datasheet ("Initialization Command Words", "Operation Command Words").
import { AccessSize, BusDevice } from './bus';

export const PIC_MASTER_PORT = 0x20;
export const PIC_SLAVE_PORT = 0xa0;
export const PIC_PORT_COUNT = 2;
export const PIC_CASCADE_IRQ = 2;

const ICW1_IC4 = 0x01;        // ICW4 follows
const ICW1_SNGL = 0x02;       // single controller: no ICW3
const ICW1_INIT = 0x10;       // command-port write with bit 4 set is ICW1
const ICW4_AEOI = 0x02;
const OCW3_SELECT = 0x08;     // bits 4:3 = 01 marks OCW3
const OCW3_RR = 0x02;         // read register command
const OCW3_RIS = 0x01;        // 1 = read ISR, 0 = read IRR
const OCW2_EOI = 0x20;
const OCW2_SL = 0x40;         // specific: level in bits 2:0

/** One 8259A chip. */
export class Pic8259Chip implements BusDevice {
  irr = 0;
  isr = 0;
  imr = 0xff;
  vectorBase = 0;
  private autoEoi = false;
  private readIsr = false;
  private lines = 0;                 // current input levels, for edge detection
  private initStep = 0;              // 0 = operational; 2/3/4 = expecting that ICW
  private needIcw3 = false;
  private needIcw4 = false;

  constructor(readonly name: string, private readonly onChange: () => void = () => {}) {}

  /** Drives input line `irq`; a rising edge sets its IRR bit. */
  setIrq(irq: number, level: boolean): void {
    const bit = 1 << irq;
    if (level && !(this.lines & bit)) this.irr |= bit;
    this.lines = level ? this.lines | bit : this.lines & ~bit;
    this.onChange();
  }

  /** The highest-priority request that may interrupt now, or -1. */
  pendingIrq(): number {
    const ready = this.irr & ~this.imr;
    for (let irq = 0; irq < 8; irq++) {
      if (this.isr & (1 << irq)) return -1;        // an equal or higher level is in service
      if (ready & (1 << irq)) return irq;
    }
    return -1;
  }

  /** INTA cycle: moves `irq` from IRR to ISR (unless auto-EOI) and returns its vector. */
  acknowledge(irq: number): number {
    this.irr &= ~(1 << irq);
    if (!this.autoEoi) this.isr |= 1 << irq;
    this.onChange();
    return (this.vectorBase + irq) & 0xff;
  }

  read(offset: number, _size: AccessSize): number {
    if (offset === 1) return this.imr;
    return this.readIsr ? this.isr : this.irr;
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const v = value & 0xff;
    if (offset === 0) this.writeCommand(v);
    else this.writeData(v);
    this.onChange();
  }

  private writeCommand(v: number): void {
    if (v & ICW1_INIT) {
      this.imr = 0; this.isr = 0; this.irr = 0; this.lines = 0;
      this.readIsr = false; this.autoEoi = false;
      this.needIcw3 = !(v & ICW1_SNGL);
      this.needIcw4 = (v & ICW1_IC4) !== 0;
      this.initStep = 2;
      return;
    }
    if ((v & 0x18) === OCW3_SELECT) {
      if (v & OCW3_RR) this.readIsr = (v & OCW3_RIS) !== 0;
      return;
    }
    if (v & OCW2_EOI) {
      if (v & OCW2_SL) this.isr &= ~(1 << (v & 7));
      else this.isr &= this.isr - 1;               // clear the highest-priority (lowest) ISR bit
    }
  }

  private writeData(v: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = v & 0xf8;
        this.initStep = this.needIcw3 ? 3 : this.needIcw4 ? 4 : 0;
        return;
      case 3:
        this.initStep = this.needIcw4 ? 4 : 0;
        return;
      case 4:
        this.autoEoi = (v & ICW4_AEOI) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = v;
    }
  }
}

/** The master/slave pair; `intr` reports the CPU's INTR line after every change. */
export class PicPair {
  readonly master: Pic8259Chip;
  readonly slave: Pic8259Chip;

  /** The CPU's INTR input; the machine connects it once the CPU exists. */
  intr: (level: boolean) => void;

  constructor(intr: (level: boolean) => void = () => {}) {
    this.intr = intr;
    this.slave = new Pic8259Chip('8259 PIC (slave)', () => this.cascade());
    this.master = new Pic8259Chip('8259 PIC (master)', () => this.intr(this.master.pendingIrq() >= 0));
    this.master.vectorBase = 0x08;   // BIOS defaults: IRQ 0-7 -> 0x08, IRQ 8-15 -> 0x70
    this.slave.vectorBase = 0x70;
  }

  /** Drives ISA IRQ line 0-15. */
  setIrq(irq: number, level: boolean): void {
    if (irq < 8) this.master.setIrq(irq, level);
    else this.slave.setIrq(irq - 8, level);
  }

  /** True when an unmasked request is waiting for the CPU. */
  hasInterrupt(): boolean { return this.master.pendingIrq() >= 0; }

  /** INTA as the CPU performs it: a request that vanished reads as the master's spurious IRQ 7. */
  acknowledgeOrSpurious(): number {
    return this.acknowledge() ?? (this.master.vectorBase + 7) & 0xff;
  }

  /** INTA: returns the vector to deliver, or undefined if nothing is pending. */
  acknowledge(): number | undefined {
    const irq = this.master.pendingIrq();
    if (irq < 0) return undefined;
    const vector = this.master.acknowledge(irq);
    if (irq !== PIC_CASCADE_IRQ) return vector;
    const slaveIrq = this.slave.pendingIrq();
    // A request that vanished between INTR and INTA reads as the spurious IRQ 7 of that chip.
    return slaveIrq < 0 ? (this.slave.vectorBase + 7) & 0xff : this.slave.acknowledge(slaveIrq);
  }

  private cascade(): void {
    this.master.setIrq(PIC_CASCADE_IRQ, this.slave.pendingIrq() >= 0);
  }
}
