// Entry file of a KVM vCPU thread (bundled to dist/kvmVcpuWorker.js): creates the vCPU on the VM
// file descriptor it is given, maps guest RAM from the memfd for its own use (page walks, devices),
// builds the buses (vCPU 0 owns the legacy devices: COM1, exit port 0xf4, PIC, PIT ...) and hands
// a KvmCpuCore (with the software x86 core for watched-page accesses) to the same VcpuRunner the software engine uses, so commands, pause and the
// state machine behave identically on both engines. Sends its KVM exit counters, closes its vCPU and
// unmaps guest RAM before it reports itself released.
import { parentPort, workerData } from 'node:worker_threads';
import { CpuCore } from '../engine/cpuCore';
import { WorkerChannel } from '../engine/vcpuChannel';
import { VcpuRunner } from '../engine/vcpuRunner';
import { threadReleased } from '../engine/workerEntry';
import { makeCpuBus } from '../machine/cpuBus';
import { LegacyDeviceHost } from '../machine/deviceHost';
import { emptyBuses } from '../machine/legacyDevices';
import { X86Cpu } from '../x86/cpu';
import { GuestMapping, mapGuestMemory, unmapGuestMemory } from './guestMemory';
import { KvmCpuCore } from './kvmCpuCore';
import { KvmVcpuFd } from './kvmVcpuFd';
import { KvmVcpuWorkerData, KvmWorkerMessage } from './kvmWorkerData';

function main(data: KvmVcpuWorkerData): void {
  const port = parentPort!;
  const channel = new WorkerChannel(port, data.control, data.index);
  const log = data.debugDevices
    ? (bus: string, dir: string, address: number, size: number, value?: number) =>
      process.stderr.write(`vcpu${data.index}: unclaimed ${bus} ${dir} 0x${address.toString(16)}/${size}${value === undefined ? '' : ` = 0x${value.toString(16)}`}\n`)
    : undefined;
  let core: KvmCpuCore;
  let mapping: GuestMapping;
  try {
    mapping = mapGuestMemory(data.memfd, data.memoryBytes);
    const ram = mapping.bytes;
    const host = data.ownsDevices ? new LegacyDeviceHost((m) => channel.send(m), log) : undefined;
    const buses = host ? host.devices : emptyBuses(log);
    const bus = makeCpuBus(ram, buses.portBus, buses.mmioBus);
    const access = new Uint8Array(data.access);
    const vcpuFd = new KvmVcpuFd(data.kvmFd, data.vmFd, data.index);
    core = new KvmCpuCore(vcpuFd, bus, {
      access, kvmMappingAddress: data.kvmMappingAddress, softwareKernel: data.softwareKernel, createSoftwareCpu: () => new X86Cpu(bus, access),
    });
    const cpu = core as unknown as CpuCore;
    host?.attach(cpu);
    const ready: KvmWorkerMessage = { type: 'kvmReady', tscKhz: vcpuFd.tscKhz() };
    port.postMessage(ready);
    new VcpuRunner(data.index, cpu, channel, host).run();
  } catch (e) {
    const failed: KvmWorkerMessage = { type: 'kvmSetupFailed', message: e instanceof Error ? e.message : String(e) };
    port.postMessage(failed);
    return;
  }
  const counters: KvmWorkerMessage = { type: 'kvmCounters', counters: core.countersNow() };
  port.postMessage(counters);
  core.dispose();
  unmapGuestMemory(mapping);
  threadReleased(port);
}

main(workerData as KvmVcpuWorkerData);
