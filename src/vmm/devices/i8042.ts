// Intel 8042 keyboard controller, reduced to what a VMM needs: the status register, a command
// byte, the controller self-test, and command 0xFE (pulse the CPU reset line), which ends the VM
// with a 'reset' stop. No keyboard or mouse is attached. Ports: 0x60 data, 0x64 status/command.
import { AccessSize, BusDevice } from './bus';
import { StopVm } from './deviceSignals';

export const I8042_DATA_PORT = 0x60;
export const I8042_COMMAND_PORT = 0x64;

// Status register bits.
export const STATUS_OBF = 0x01;      // output buffer full (data ready at 0x60)
export const STATUS_SYS = 0x04;      // system flag: self-test passed
export const STATUS_CMD = 0x08;      // last write was to the command port

// Controller commands.
export const CMD_READ_CCB = 0x20;
export const CMD_WRITE_CCB = 0x60;
export const CMD_SELF_TEST = 0xaa;
export const CMD_PULSE_RESET = 0xfe;
export const SELF_TEST_PASSED = 0x55;

/** The controller; `dataPort` and `commandPort` are its two one-byte bus devices. */
export class I8042 {
  readonly dataPort: BusDevice = {
    name: 'i8042 data port',
    read: (_o: number, _s: AccessSize) => this.readData(),
    write: (_o: number, _s: AccessSize, v: number) => this.writeData(v),
  };
  readonly commandPort: BusDevice = {
    name: 'i8042 status/command port',
    read: (_o: number, _s: AccessSize) => this.readStatus(),
    write: (_o: number, _s: AccessSize, v: number) => this.writeCommand(v),
  };
  private status = STATUS_SYS;
  private output: number | undefined;
  private ccb = 0x45;                // translate, system flag, keyboard interrupt enable
  private expectingCcb = false;

  constructor(private readonly stop: StopVm) {}

  readStatus(): number {
    return this.status | (this.output !== undefined ? STATUS_OBF : 0);
  }

  readData(): number {
    const value = this.output ?? 0;
    this.output = undefined;
    return value;
  }

  writeData(value: number): void {
    if (this.expectingCcb) this.ccb = value & 0xff;
    this.expectingCcb = false;
    this.status &= ~STATUS_CMD;
  }

  writeCommand(value: number): void {
    this.status |= STATUS_CMD;
    switch (value & 0xff) {
      case CMD_READ_CCB: this.output = this.ccb; break;
      case CMD_WRITE_CCB: this.expectingCcb = true; break;
      case CMD_SELF_TEST: this.output = SELF_TEST_PASSED; break;
      case CMD_PULSE_RESET: this.stop({ reason: 'reset' }); break;
      default: break;              // other commands (enable/disable ports, ...) have no effect
    }
  }
}
