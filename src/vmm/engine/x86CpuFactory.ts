// The default CPU of a vCPU thread: the software x86 core (src/vmm/x86/cpu.ts), loaded by
// vcpuWorker.ts unless a test substitutes another CpuFactory.
import { X86Cpu } from '../x86/cpu';
import { CpuFactory } from './cpuCore';

export const createCpu: CpuFactory = (bus, access) => new X86Cpu(bus, access);
