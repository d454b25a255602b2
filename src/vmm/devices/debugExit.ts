// The isa-debug-exit port (QEMU's device of that name, at 0xf4): a guest write of value v ends the
// VM with exit status v. QEMU itself exits with (v << 1) | 1; this VMM reports v unchanged, so a
// guest writing 0 exits 0 here and 1 under QEMU. Reads return all-ones (nothing to read).
import { AccessSize, BusDevice, allOnes } from './bus';
import { StopVm } from './deviceSignals';

export const DEBUG_EXIT_PORT = 0xf4;
export const DEBUG_EXIT_PORT_SIZE = 4;

export class DebugExit implements BusDevice {
  readonly name = 'isa-debug-exit';
  constructor(private readonly stop: StopVm) {}

  read(_offset: number, size: AccessSize): number { return allOnes(size); }

  write(_offset: number, _size: AccessSize, value: number): void {
    this.stop({ reason: 'exitPort', status: value >>> 0 });
  }
}
