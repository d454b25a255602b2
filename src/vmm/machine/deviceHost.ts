// The legacy devices as owned by the boot vCPU's thread: builds them, batches COM1 output into
// 'serial' messages (flushed after every run slice, before events and waits, and when 4 KiB fill
// up), turns exit-port and reset requests into a CPU stop, advances the PIT, and delivers PIC
// interrupts to the CPU when RFLAGS.IF allows (SDM Vol. 3A 6.8.1, masking maskable interrupts).
import { UnclaimedLogger } from '../devices/bus';
import { DeviceStopRequest } from '../devices/deviceSignals';
import { CpuCore } from '../engine/cpuCore';
import { VcpuMessage } from '../engine/messages';
import { DeviceHost } from '../engine/vcpuRunner';
import { buildLegacyDevices, LegacyDevices } from './legacyDevices';

const SERIAL_BATCH_BYTES = 4096;
const RFLAGS_IF = 0x200n;

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

  /** Connects the CPU that device stop requests interrupt. */
  attach(cpu: CpuCore): void { this.cpu = cpu; }

  service(cpu: CpuCore): boolean {
    this.devices.pit.poll();
    if (!this.devices.pic.hasInterrupt()) return false;
    if ((cpu.getRegs().rflags & RFLAGS_IF) === 0n) return false;
    const vector = this.devices.pic.acknowledge();
    if (vector === undefined) return false;
    cpu.raiseInterrupt(vector);
    return true;
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
