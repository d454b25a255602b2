// What a KVMI command handler may see and do: the VM, the permission table, the session's per-VM
// and per-vCPU introspection state, and the session services (pause/trap jobs, intercept updates).
// Handlers return the codec's CommandResult: a reply, or a KVMI error code (KVMI reference §6).
import { KVMI_ERR, type CommandName, type CommandResult, type ReplyOf, type RequestOf } from '../kvmi';
import type { Vm } from '../engine/engine';
import type { KvmiPermissions } from './kvmiPermissions';
import type { QueuedTrap, VcpuIntrospection } from './vcpuIntrospection';

export interface CommandContext {
  readonly vm: Vm;
  readonly permissions: KvmiPermissions;
  readonly vcpus: readonly VcpuIntrospection[];
  /** VM events enabled with KVMI_VM_CONTROL_EVENTS (only UNHOOK exists). */
  readonly vmEvents: Set<number>;
  /** Frames (gpa >> 12) this session restricted; reset to rwx on unhook. */
  readonly restrictedGfns: Set<number>;
  cleanup: boolean;
  /** Queues one PAUSE event for the vCPU (KVMI_VM_PAUSE_VCPU). */
  requestPause(vcpu: number): void;
  /** Queues an exception and the TRAP event that reports it (KVMI_VCPU_INJECT_EXCEPTION). */
  requestTrap(vcpu: number, trap: QueuedTrap): void;
  /** Pushes the vCPU's intercept set to the engine. */
  applyIntercepts(vcpu: number): Promise<void>;
}

export type Handler<N extends CommandName> =
  (request: RequestOf<N>, vcpu: number, ctx: CommandContext) => Promise<CommandResult<ReplyOf<N>>>;

export const ok = <R>(reply: R): CommandResult<R> => ({ ok: true, reply });
export const fail = <R>(err: number): CommandResult<R> => ({ ok: false, err });
export const done = <R>(): CommandResult<R> => ({ ok: true, reply: undefined as R });
export const einval = <R>(): CommandResult<R> => fail<R>(KVMI_ERR.EINVAL);
