// Handlers of the vCPU-scoped KVMI v12 commands (KVMI reference §3.2). They run against the engine's
// promise-based Vcpu, which serves commands while running, paused, or waiting for an event reply,
// so a vCPU that waits for a reply still executes what the tool queues for it (§1.1).
import { COMMANDS, EVENTS, KVMI_ERR, KVMI_ERROR_CODE_SIZE, KVMI_MAX_MSG_SIZE, UNMAPPED_GVA } from '../kvmi';
import { EngineError, type Vm } from '../engine/engine';
import { done, einval, fail, ok, type Handler } from './commandContext';

/** The RDTSC rate of the software CPU: a 1 GHz TSC over host nanoseconds (x86/cpuState.ts hostTsc). */
export const EMULATOR_TSC_HZ = 1_000_000_000n;

/** MTRR/PAT memory types (SDM Vol. 3A §11.11.1, Table 11-8). */
export const MEMORY_TYPE = { UC: 0, WB: 6 } as const;

/** Events KVMI_VCPU_CONTROL_EVENTS may switch; PAUSE, TRAP and SINGLESTEP follow commands instead. */
const CONTROLLABLE_EVENTS: ReadonlySet<number> = new Set([
  EVENTS.KVMI_VCPU_EVENT_BREAKPOINT.id, EVENTS.KVMI_VCPU_EVENT_CR.id, EVENTS.KVMI_VCPU_EVENT_DESCRIPTOR.id,
  EVENTS.KVMI_VCPU_EVENT_HYPERCALL.id, EVENTS.KVMI_VCPU_EVENT_MSR.id, EVENTS.KVMI_VCPU_EVENT_PF.id,
  EVENTS.KVMI_VCPU_EVENT_XSETBV.id,
]);

/** Fixed part of kvmi_vcpu_get_registers_reply and one kvm_msr_entry (KVMI reference §3.2). */
const REGISTERS_REPLY_FIXED = 472;
const MSR_ENTRY_SIZE = 16;

/** Exceptions whose delivery pushes an error code (SDM Vol. 3A §6.15, Table 6-1). */
const VECTORS_WITH_ERROR_CODE: ReadonlySet<number> = new Set([8, 10, 11, 12, 13, 14, 17, 21]);
const PAGE_FAULT_VECTOR = 14;

/** Optional engine capability: the guest TSC rate in Hz. */
function tscHzOf(vm: Vm): bigint {
  const declared = (vm as { tscHz?: unknown }).tscHz;
  if (typeof declared === 'bigint') return declared;
  return vm.engine === 'emulator' ? EMULATOR_TSC_HZ : 0n;
}

const getInfo: Handler<'KVMI_VCPU_GET_INFO'> = async (_r, _v, ctx) => ok({ tsc_speed: tscHzOf(ctx.vm) });

const controlEvents: Handler<'KVMI_VCPU_CONTROL_EVENTS'> = async ({ event_id, enable }, v, ctx) => {
  if (enable > 1 || !CONTROLLABLE_EVENTS.has(event_id)) return einval();
  if (!ctx.permissions.eventAllowed(event_id)) return fail(KVMI_ERR.EPERM);
  if (enable) ctx.vcpus[v].enabled.add(event_id); else ctx.vcpus[v].enabled.delete(event_id);
  await ctx.applyIntercepts(v);
  return done();
};

const getRegisters: Handler<'KVMI_VCPU_GET_REGISTERS'> = async ({ msrs_idx }, v, ctx) => {
  if (KVMI_ERROR_CODE_SIZE + REGISTERS_REPLY_FIXED + MSR_ENTRY_SIZE * msrs_idx.length > KVMI_MAX_MSG_SIZE) return einval();
  const vcpu = ctx.vm.vcpus[v];
  const [mode, regs, sregs] = await Promise.all([vcpu.mode(), vcpu.getRegs(), vcpu.getSregs()]);
  const entries = [];
  for (const index of msrs_idx) {
    const data = await vcpu.getMsr(index);
    if (data === undefined) return einval();
    entries.push({ index, data });
  }
  return ok({ mode, regs, sregs, msrs: { nmsrs: entries.length }, entries });
};

const setRegisters: Handler<'KVMI_VCPU_SET_REGISTERS'> = async (regs, v, ctx) => {
  const state = ctx.vcpus[v];
  if (state.waitingSeq === undefined) return fail(KVMI_ERR.EOPNOTSUPP);
  state.pendingRegs = regs;
  return done();
};

/** KVMI reference §3.2 KVMI_VCPU_GET_CPUID: the leaf, -KVM_ENOENT when the vCPU's table lacks it. */
const getCpuid: Handler<'KVMI_VCPU_GET_CPUID'> = async ({ function: fn, index }, v, ctx) => {
  let leaf;
  try {
    leaf = await ctx.vm.vcpus[v].cpuid(fn, index);
  } catch (e) {
    if (e instanceof EngineError && e.kind === 'notAvailable') return fail(KVMI_ERR.ENOSYS);
    throw e;
  }
  return leaf ? ok(leaf) : fail(KVMI_ERR.ENOENT);
};

const controlCr: Handler<'KVMI_VCPU_CONTROL_CR'> = async ({ cr, enable }, v, ctx) => {
  if (enable > 1 || (cr !== 0 && cr !== 3 && cr !== 4)) return einval();
  if (enable) ctx.vcpus[v].crs.add(cr); else ctx.vcpus[v].crs.delete(cr);
  await ctx.applyIntercepts(v);
  return done();
};

const injectException: Handler<'KVMI_VCPU_INJECT_EXCEPTION'> = async ({ nr, error_code, address }, v, ctx) => {
  if (!ctx.permissions.eventAllowed(EVENTS.KVMI_VCPU_EVENT_TRAP.id)) return fail(KVMI_ERR.EPERM);
  if (nr > 31) return einval();
  const state = ctx.vcpus[v];
  if (state.trap || state.singlestep) return fail(KVMI_ERR.EBUSY);
  ctx.requestTrap(v, {
    nr,
    errorCode: VECTORS_WITH_ERROR_CODE.has(nr) ? error_code : 0,
    address: nr === PAGE_FAULT_VECTOR ? address : 0n,
  });
  return done();
};

const getXcr: Handler<'KVMI_VCPU_GET_XCR'> = async ({ xcr }, v, ctx) =>
  xcr !== 0 ? einval() : ok({ value: await ctx.vm.vcpus[v].getXcr0() });

const getXsave: Handler<'KVMI_VCPU_GET_XSAVE'> = async (_r, v, ctx) => {
  const bytes = await ctx.vm.vcpus[v].getXsave();
  const area = new Uint8Array(4096);
  area.set(bytes.subarray(0, 4096));
  const view = new DataView(area.buffer);
  return ok({ xsave: { region: Array.from({ length: 1024 }, (_, i) => view.getUint32(i * 4, true)) } });
};

const setXsave: Handler<'KVMI_VCPU_SET_XSAVE'> = async ({ xsave }, v, ctx) => {
  const area = new Uint8Array(4096);
  const view = new DataView(area.buffer);
  xsave.region.forEach((word, i) => view.setUint32(i * 4, word, true));
  try {
    await ctx.vm.vcpus[v].setXsave(area);
  } catch {
    return einval();
  }
  return done();
};

const getMtrrType: Handler<'KVMI_VCPU_GET_MTRR_TYPE'> = async ({ gpa }, _v, ctx) =>
  ok({ type: gpa < BigInt(ctx.vm.ram.length) ? MEMORY_TYPE.WB : MEMORY_TYPE.UC });

/** KVMI accepts MSRs 0-0x1fff and 0xc0000000-0xc0001fff (KVMI reference §3.2 CONTROL_MSR). */
function monitorableMsr(msr: number): boolean {
  return msr <= 0x1fff || (msr >= 0xc000_0000 && msr <= 0xc000_1fff);
}

const controlMsr: Handler<'KVMI_VCPU_CONTROL_MSR'> = async ({ enable, msr }, v, ctx) => {
  if (enable > 1 || !monitorableMsr(msr)) return einval();
  if (enable) ctx.vcpus[v].msrs.add(msr); else ctx.vcpus[v].msrs.delete(msr);
  await ctx.applyIntercepts(v);
  return done();
};

const controlSinglestep: Handler<'KVMI_VCPU_CONTROL_SINGLESTEP'> = async ({ enable }, v, ctx) => {
  if (!ctx.permissions.eventAllowed(EVENTS.KVMI_VCPU_EVENT_SINGLESTEP.id)) return fail(KVMI_ERR.EPERM);
  if (enable > 1) return einval();
  ctx.vcpus[v].singlestep = enable === 1;
  await ctx.applyIntercepts(v);
  return done();
};

const translateGva: Handler<'KVMI_VCPU_TRANSLATE_GVA'> = async ({ gva }, v, ctx) =>
  ok({ gpa: (await ctx.vm.vcpus[v].translate(gva)) ?? UNMAPPED_GVA });

export const VCPU_COMMAND_HANDLERS = {
  KVMI_VCPU_GET_INFO: getInfo,
  KVMI_VCPU_CONTROL_EVENTS: controlEvents,
  KVMI_VCPU_GET_REGISTERS: getRegisters,
  KVMI_VCPU_SET_REGISTERS: setRegisters,
  KVMI_VCPU_GET_CPUID: getCpuid,
  KVMI_VCPU_CONTROL_CR: controlCr,
  KVMI_VCPU_INJECT_EXCEPTION: injectException,
  KVMI_VCPU_GET_XCR: getXcr,
  KVMI_VCPU_GET_XSAVE: getXsave,
  KVMI_VCPU_SET_XSAVE: setXsave,
  KVMI_VCPU_GET_MTRR_TYPE: getMtrrType,
  KVMI_VCPU_CONTROL_MSR: controlMsr,
  KVMI_VCPU_CONTROL_SINGLESTEP: controlSinglestep,
  KVMI_VCPU_TRANSLATE_GVA: translateGva,
} satisfies { [N in keyof typeof COMMANDS]?: Handler<N> };
