// Handlers of the VM-scoped KVMI v12 commands (KVMI reference §3.1): version, CHECK_COMMAND/EVENT,
// VM info, VM event control, physical memory read/write, PAUSE_VCPU, cleanup control and page
// access. Each returns the reply or the error code the reference lists for that command.
import { COMMANDS, EVENTS, KVMI_ERR, KVMI_MAX_MSG_SIZE, KVMI_PAGE_SIZE, KVMI_VERSION, commandById, eventById } from '../kvmi';
import { PAGE_ACCESS_ALL } from '../engine/engine';
import { done, einval, fail, ok, type CommandContext, type Handler } from './commandContext';

/** The most PAUSE events one vCPU may owe the tool before PAUSE_VCPU answers -KVM_EBUSY. */
export const MAX_PAUSE_REQUESTS = 256;

const getVersion: Handler<'KVMI_GET_VERSION'> = async () =>
  ok({ version: KVMI_VERSION, max_msg_size: KVMI_MAX_MSG_SIZE, features: { singlestep: 1 } });

const checkCommand: Handler<'KVMI_VM_CHECK_COMMAND'> = async ({ id }, _v, ctx) => {
  if (!commandById(id)) return fail(KVMI_ERR.ENOENT);
  return ctx.permissions.commandAllowed(id) ? done() : fail(KVMI_ERR.EPERM);
};

const checkEvent: Handler<'KVMI_VM_CHECK_EVENT'> = async ({ id }, _v, ctx) => {
  if (!eventById(id)) return fail(KVMI_ERR.ENOENT);
  return ctx.permissions.eventAllowed(id) ? done() : fail(KVMI_ERR.EPERM);
};

const getInfo: Handler<'KVMI_VM_GET_INFO'> = async (_r, _v, ctx) => ok({ vcpu_count: ctx.vm.vcpus.length });

const controlVmEvents: Handler<'KVMI_VM_CONTROL_EVENTS'> = async ({ event_id, enable }, _v, ctx) => {
  if (enable > 1 || eventById(event_id)?.scope !== 'vm') return einval();
  if (!ctx.permissions.eventAllowed(event_id)) return fail(KVMI_ERR.EPERM);
  if (enable) ctx.vmEvents.add(event_id); else ctx.vmEvents.delete(event_id);
  return done();
};

/** The page rule of READ/WRITE_PHYSICAL: 1..4096 bytes inside one page; -ENOENT past the RAM. */
function physicalRangeError(ctx: CommandContext, gpa: bigint, size: number): number | undefined {
  if (size === 0 || size > KVMI_PAGE_SIZE || Number(gpa & 0xfffn) + size > KVMI_PAGE_SIZE) return KVMI_ERR.EINVAL;
  if (gpa + BigInt(size) > BigInt(ctx.vm.ram.length)) return KVMI_ERR.ENOENT;
  return undefined;
}

const readPhysical: Handler<'KVMI_VM_READ_PHYSICAL'> = async ({ gpa, size }, _v, ctx) => {
  const err = physicalRangeError(ctx, gpa, size);
  return err ? fail(err) : ok({ data: ctx.vm.readGuest(Number(gpa), size) });
};

const writePhysical: Handler<'KVMI_VM_WRITE_PHYSICAL'> = async ({ gpa, size, data }, _v, ctx) => {
  const err = physicalRangeError(ctx, gpa, size);
  if (err) return fail(err);
  ctx.vm.writeGuest(Number(gpa), data.subarray(0, size));
  return done();
};

const pauseVcpu: Handler<'KVMI_VM_PAUSE_VCPU'> = async ({ vcpu, wait }, _v, ctx) => {
  if (wait > 1 || vcpu >= ctx.vm.vcpus.length) return einval();
  if (!ctx.permissions.eventAllowed(EVENTS.KVMI_VCPU_EVENT_PAUSE.id)) return fail(KVMI_ERR.EPERM);
  if (ctx.vm.vcpus[vcpu].state === 'stopped') return fail(KVMI_ERR.EAGAIN);
  if (ctx.vcpus[vcpu].pauseRequests >= MAX_PAUSE_REQUESTS) return fail(KVMI_ERR.EBUSY);
  ctx.requestPause(vcpu);
  return done();
};

const controlCleanup: Handler<'KVMI_VM_CONTROL_CLEANUP'> = async ({ enable }, _v, ctx) => {
  if (enable > 1) return einval();
  ctx.cleanup = enable === 1;
  return done();
};

/** Applies every entry it can and returns the first error (KVMI reference §3.1, §5). */
const setPageAccess: Handler<'KVMI_VM_SET_PAGE_ACCESS'> = async ({ entries }, _v, ctx) => {
  let firstError: number | undefined;
  const valid = entries.filter((e) => {
    const bad = (e.access & ~PAGE_ACCESS_ALL) !== 0 || e.gpa >= BigInt(ctx.vm.ram.length);
    if (bad) firstError ??= KVMI_ERR.EINVAL;
    return !bad;
  });
  const pages = valid.map((e) => ({ gpa: e.gpa & ~0xfffn, access: e.access }));
  ctx.vm.setPageAccess(pages);
  for (const p of pages) {
    const gfn = Number(p.gpa >> 12n);
    if (p.access === PAGE_ACCESS_ALL) ctx.restrictedGfns.delete(gfn); else ctx.restrictedGfns.add(gfn);
  }
  return firstError === undefined ? done() : fail(firstError);
};

export const VM_COMMAND_HANDLERS = {
  KVMI_GET_VERSION: getVersion,
  KVMI_VM_CHECK_COMMAND: checkCommand,
  KVMI_VM_CHECK_EVENT: checkEvent,
  KVMI_VM_GET_INFO: getInfo,
  KVMI_VM_CONTROL_EVENTS: controlVmEvents,
  KVMI_VM_READ_PHYSICAL: readPhysical,
  KVMI_VM_WRITE_PHYSICAL: writePhysical,
  KVMI_VM_PAUSE_VCPU: pauseVcpu,
  KVMI_VM_CONTROL_CLEANUP: controlCleanup,
  KVMI_VM_SET_PAGE_ACCESS: setPageAccess,
} satisfies { [N in keyof typeof COMMANDS]?: Handler<N> };
