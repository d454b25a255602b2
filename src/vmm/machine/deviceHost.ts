// The legacy devices as owned by the boot vCPU's thread: builds them, batches COM1 output into
// 'serial' messages (flushed after every run slice, before events and waits, and when 4 KiB fill
// up), turns exit-port and reset requests into a CPU stop, advances the PIT, and connects the PIC
// to the CPU's INTR line; the CPU runs the INTA cycle when RFLAGS.IF allows (SDM Vol. 3A 6.8.1).
import { UnclaimedLogger } from '../devices/bus';
import { DeviceStopRequest } from '../devices/deviceSignals';
import { CpuCore } from '../engine/cpuCore';
import { VcpuMessage } from '../engine/messages';
import { DeviceHost } from '../engine/vcpuRunner';
import { buildLegacyDevices, LegacyDevices } from './legacyDevices';

const SERIAL_BATCH_BYTES = 4096;

export class LegacyDeviceHost implements DeviceHost {
  readonly devices: LegacyDevices;
  private cpu: CpuCore | undefined;
  private stopRequest: DeviceStopRequest | undefined;
  private readonly serial = new Uint8Array(SERIAL_BATCH_BYTES);
  private serialLength = 0;

  constructor(private readonly send: (m: VcpuMessage) => void, logUnclaimed?: UnclaimedLogger) {
    const start = process.hrtime.bigint();
    this.devices = buildLegacyDevices({
      serialSink: (b) => this.serialByte(b),
      stop: (r) => this.requestStop(r),
      now: () => Number(process.hrtime.bigint() - start),
      logUnclaimed,
    });
  }

  /** Connects the CPU: device stop requests interrupt it, and the PIC drives its INTR line. */
  attach(cpu: CpuCore): void {
    this.cpu = cpu;
    const pic = this.devices.pic;
    pic.intr = (level) => cpu.setIrqLine(level, () => pic.acknowledgeOrSpurious());
    pic.intr(pic.hasInterrupt());
  }

  /** Advances the PIT; true when the CPU can take an interrupt now (it does so in its next run). */
  service(cpu: CpuCore): boolean {
    this.devices.pit.poll();
    return cpu.interruptDeliverable();
  }

  nsUntilNextTimer(): number | undefined { return this.devices.pit.nsUntilNextEdge(); }

  takeStopRequest(): DeviceStopRequest | undefined {
    const r = this.stopRequest;
    this.stopRequest = undefined;
    return r;
  }

  flushSerial(): void {
    if (this.serialLength === 0) return;
    this.send({ type: 'serial', bytes: this.serial.slice(0, this.serialLength) });
    this.serialLength = 0;
  }

  serialInput(bytes: Uint8Array): void { this.devices.com1.receive(bytes); }

  private serialByte(b: number): void {
    this.serial[this.serialLength++] = b;
    if (this.serialLength === SERIAL_BATCH_BYTES) this.flushSerial();
  }

  private requestStop(r: DeviceStopRequest): void {
    this.stopRequest ??= r;
    this.cpu?.requestStop();
  }
}
