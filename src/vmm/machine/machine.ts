// The machine builder: assembles a VM in declared phases -- memory and vCPU threads (engine),
// guest image and boot state (boot/), devices (inside the boot vCPU's thread, legacyDevices.ts) --
// and starts it. The boot vCPU runs; the others stay paused, since without a local APIC there is
// no INIT/SIPI to wake them (an introspection tool may set their state and unpause them).
import { BootFormat, BootPlan } from '../boot/bootState';
import { loadGuest } from '../boot/loadGuest';
import { Engine, Vm } from '../engine/engine';

export interface MachineConfig {
  engine: Engine;
  /** The guest image bytes (ELF or raw). */
  guest: Uint8Array;
  format?: BootFormat;
  memoryMiB: number;
  cpus: number;
  serialOutput?: (bytes: Uint8Array) => void;
  debugDevices?: boolean;
}

export interface Machine {
  vm: Vm;
  boot: BootPlan;
  /** Starts the boot vCPU (or leaves every vCPU paused with `paused`). */
  start(options?: { paused?: boolean }): Promise<void>;
}

/** Builds the VM and loads the guest; nothing runs until start(). */
export async function createMachine(c: MachineConfig): Promise<Machine> {
  const vm = await c.engine.createVm({
    memoryBytes: c.memoryMiB * (1 << 20), vcpus: c.cpus, serialOutput: c.serialOutput, debugDevices: c.debugDevices,
  });
  let boot: BootPlan;
  try {
    boot = loadGuest(c.guest, vm.ram, c.format);
    await vm.vcpus[0].setSregs(boot.sregs);
    await vm.vcpus[0].setRegs(boot.regs);
  } catch (e) {
    await vm.stop();
    throw e;
  }
  return {
    vm, boot,
    async start(options = {}) {
      vm.start({ paused: true });
      if (!options.paused) await vm.vcpus[0].unpause();
    },
  };
}
