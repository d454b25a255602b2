// National Semiconductor PC16550D UART (the PC's COM ports), as seen through its 8 registers.
// Transmission is instantaneous: THR bytes go straight to the output sink, so LSR.THRE/TEMT are
// always set. Received bytes queue in a FIFO behind RBR with LSR.DR. The interrupt output is not
// gated by MCR.OUT2 (as in QEMU). Register names follow the PC16550D datasheet, Table 2.
import { AccessSize, BusDevice } from './bus';
import { IrqLine } from './deviceSignals';

// Register offsets (datasheet Table 2); DLAB = LCR bit 7 selects the divisor latch at 0/1.
export const UART_RBR_THR_DLL = 0;
export const UART_IER_DLM = 1;
export const UART_IIR_FCR = 2;
export const UART_LCR = 3;
export const UART_MCR = 4;
export const UART_LSR = 5;
export const UART_MSR = 6;
export const UART_SCR = 7;

export const IER_ERBFI = 0x01;   // received data available interrupt
export const IER_ETBEI = 0x02;   // transmitter holding register empty interrupt
export const IIR_NO_INT = 0x01;
export const IIR_THRE = 0x02;
export const IIR_RDA = 0x04;
export const IIR_FIFO_ENABLED = 0xc0;
export const FCR_FIFO_ENABLE = 0x01;
export const FCR_CLEAR_RX = 0x02;
export const LCR_DLAB = 0x80;
export const MCR_LOOP = 0x10;
export const LSR_DR = 0x01;
export const LSR_THRE = 0x20;
export const LSR_TEMT = 0x40;
export const MSR_CTS = 0x10;
export const MSR_DSR = 0x20;
export const MSR_DCD = 0x80;

/** Receives transmitted bytes. */
export type ByteSink = (byte: number) => void;

export class Uart16550 implements BusDevice {
  readonly name = '16550 UART';
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private fcr = 0;
  private divisor = 12;               // 9600 baud from the 1.8432 MHz clock
  private readonly rx: number[] = [];
  private thrEmptyPending = false;    // THRE interrupt latched until IIR read or THR write
  private irqLevel = false;

  constructor(private readonly sink: ByteSink, private readonly irq: IrqLine = () => {}) {}

  /** Queues bytes received from the outside world (e.g. stdin) behind RBR. */
  receive(bytes: Iterable<number>): void {
    for (const b of bytes) this.rx.push(b & 0xff);
    this.updateIrq();
  }

  /** The programmed divisor latch (baud = 115200 / divisor). */
  get divisorLatch(): number { return this.divisor; }

  read(offset: number, _size: AccessSize): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case UART_RBR_THR_DLL: return dlab ? this.divisor & 0xff : this.readRbr();
      case UART_IER_DLM: return dlab ? this.divisor >> 8 : this.ier;
      case UART_IIR_FCR: return this.readIir();
      case UART_LCR: return this.lcr;
      case UART_MCR: return this.mcr;
      case UART_LSR: return (this.rx.length > 0 ? LSR_DR : 0) | LSR_THRE | LSR_TEMT;
      case UART_MSR: return this.readMsr();
      default: return this.scr;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const v = value & 0xff;
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    switch (offset) {
      case UART_RBR_THR_DLL:
        if (dlab) this.divisor = (this.divisor & 0xff00) | v;
        else this.writeThr(v);
        break;
      case UART_IER_DLM:
        if (dlab) { this.divisor = (this.divisor & 0xff) | (v << 8); break; }
        // Enabling ETBEI while THR is empty raises the THRE interrupt at once (datasheet 8.6.2).
        if ((v & IER_ETBEI) && !(this.ier & IER_ETBEI)) this.thrEmptyPending = true;
        this.ier = v & 0x0f;
        break;
      case UART_IIR_FCR:
        this.fcr = v & 0xc9;
        if (v & FCR_CLEAR_RX) this.rx.length = 0;
        break;
      case UART_LCR: this.lcr = v; break;
      case UART_MCR: this.mcr = v & 0x1f; break;
      case UART_LSR: case UART_MSR: break;   // read-only on this model
      default: this.scr = v;
    }
    this.updateIrq();
  }

  private writeThr(v: number): void {
    if (this.mcr & MCR_LOOP) this.rx.push(v);
    else this.sink(v);
    this.thrEmptyPending = true;   // the byte left at once, THR is empty again
  }

  private readRbr(): number {
    const b = this.rx.shift() ?? 0;
    this.updateIrq();
    return b;
  }

  /** IIR: highest-priority pending source (datasheet Table 4); reading it clears a THRE source. */
  private readIir(): number {
    const fifo = (this.fcr & FCR_FIFO_ENABLE) ? IIR_FIFO_ENABLED : 0;
    let id = IIR_NO_INT;
    if ((this.ier & IER_ERBFI) && this.rx.length > 0) id = IIR_RDA;
    else if ((this.ier & IER_ETBEI) && this.thrEmptyPending) {
      id = IIR_THRE;
      this.thrEmptyPending = false;
      this.updateIrq();
    }
    return fifo | id;
  }

  /** MSR: modem inputs; in loopback they mirror MCR (DTR->DSR, RTS->CTS, OUT2->DCD, OUT1->RI). */
  private readMsr(): number {
    if (!(this.mcr & MCR_LOOP)) return MSR_DCD | MSR_DSR | MSR_CTS;
    const m = this.mcr;
    return ((m & 0x01) << 5) | ((m & 0x02) << 3) | ((m & 0x04) << 4) | ((m & 0x08) << 4);
  }

  private updateIrq(): void {
    const level = ((this.ier & IER_ERBFI) !== 0 && this.rx.length > 0)
      || ((this.ier & IER_ETBEI) !== 0 && this.thrEmptyPending);
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq(level);
    }
  }
}
