// Entry file of a vCPU thread (bundled to dist/vcpuWorker.js). Wraps the shared RAM and access
// arrays, builds the buses (vCPU 0 owns the legacy devices; the other vCPUs see every port as
// unclaimed), creates the CPU and hands everything to VcpuRunner until the vCPU stops.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { emptyBuses } from '../machine/legacyDevices';
import { LegacyDeviceHost } from '../machine/deviceHost';
import { makeCpuBus } from '../machine/cpuBus';
import { CpuFactory } from './cpuCore';
import { VcpuWorkerData } from './messages';
import { softwareCoreCpuid } from './guestCpuid';
import { WorkerChannel } from './vcpuChannel';
import { VcpuRunner } from './vcpuRunner';
import { threadReleased } from './workerEntry';
import { createCpu as createX86Cpu } from './x86CpuFactory';

function main(data: VcpuWorkerData): void {
  const port = parentPort!;
  const ram = new Uint8Array(data.ram);
  const access = new Uint8Array(data.access);
  const channel = new WorkerChannel(port, data.control, data.index);
  const log = data.debugDevices
    ? (bus: string, dir: string, address: number, size: number, value?: number) =>
      process.stderr.write(`vcpu${data.index}: unclaimed ${bus} ${dir} 0x${address.toString(16)}/${size}${value === undefined ? '' : ` = 0x${value.toString(16)}`}\n`)
    : undefined;
  const host = data.ownsDevices ? new LegacyDeviceHost((m) => channel.send(m), log) : undefined;
  const buses = host ? host.devices : emptyBuses(log);
  const factory = loadCpuFactory(data.cpuModule);
  const cpu = factory(makeCpuBus(ram, buses.portBus, buses.mmioBus), access, data.index);
  host?.attach(cpu);
  new VcpuRunner(data.index, cpu, channel, host, softwareCoreCpuid(() => cpu.getSregs().cr4)).run();
  threadReleased(port);
}

/** The x86 core (x86CpuFactory.ts), or the factory exported by `cpuModule` when one is given. */
function loadCpuFactory(cpuModule: string | undefined): CpuFactory {
  if (!cpuModule) return createX86Cpu;
  return (createRequire(__filename)(cpuModule) as { createCpu: CpuFactory }).createCpu;
}

main(workerData as VcpuWorkerData);
