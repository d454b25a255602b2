// The two ways a device model talks back to the machine: driving an interrupt line, and asking
// the whole VM to stop (exit port, keyboard-controller reset). The machine builder supplies both;
// devices never reach into the CPU or the PIC directly.

/** Drives one interrupt request line; `true` = asserted. */
export type IrqLine = (level: boolean) => void;

/** Why a device asked the VM to end. */
export type DeviceStopRequest =
  | { reason: 'exitPort'; status: number }
  | { reason: 'reset' };

/** Called by a device to end the VM; the vCPU stops after the current instruction. */
export type StopVm = (request: DeviceStopRequest) => void;
