// The KVMI v12 message table: every command (wire id, scope by id parity, request and reply layouts,
// explicit length rule) and every event (id, scope, specific payload and reply layouts, accepted
// actions). KVMI reference §3.0-§3.2 and §4.2. The codec derives all per-message behaviour from here.
import { KVMI_EVENT, KVMI_EVENT_ACTION, KVMI_MSG, scopeOfId, type KvmiEventAction } from './constants';
import type { StructLayout } from './layoutDsl';
import * as L from './layouts';

/** How a request body whose length disagrees with its count fields is treated (reference §2.1). */
export type LengthRule =
  /** Shorter bodies are zero-filled, longer ones truncated (the default for fixed-size commands). */
  | 'zero-fill'
  /** The body must hold the whole struct and its tail, else the reply is -KVM_EINVAL. */
  | 'einval'
  /** The body must hold the whole struct and its tail, else the socket is closed. */
  | 'hard';

export interface CommandSpec<Req = unknown, Rep = unknown> {
  readonly id: number;
  readonly name: string;
  readonly scope: 'vm' | 'vcpu';
  /** Body layout after kvmi_msg_hdr (and kvmi_vcpu_hdr for vCPU commands); undefined = no body. */
  readonly request: StructLayout<Req> | undefined;
  /** Reply layout after kvmi_error_code; undefined = error code only. */
  readonly reply: StructLayout<Rep> | undefined;
  /** True when the request or the reply ends in a variable-length array. */
  readonly variable: boolean;
  readonly lengthRule: LengthRule;
}

function command<Req = undefined, Rep = undefined>(
  name: keyof typeof KVMI_MSG,
  parts: { request?: StructLayout<Req>; reply?: StructLayout<Rep>; lengthRule?: LengthRule },
): CommandSpec<Req, Rep> {
  const id = KVMI_MSG[name];
  return {
    id, name, scope: scopeOfId(id), request: parts.request, reply: parts.reply,
    variable: Boolean(parts.request?.tail ?? parts.reply?.tail),
    lengthRule: parts.lengthRule ?? 'zero-fill',
  };
}

/** Every v12 command, keyed by its macro name. */
export const COMMANDS = {
  KVMI_GET_VERSION: command('KVMI_GET_VERSION', { reply: L.KVMI_GET_VERSION_REPLY }),
  KVMI_VM_CHECK_COMMAND: command('KVMI_VM_CHECK_COMMAND', { request: L.KVMI_VM_CHECK_COMMAND }),
  KVMI_VM_CHECK_EVENT: command('KVMI_VM_CHECK_EVENT', { request: L.KVMI_VM_CHECK_EVENT }),
  KVMI_VM_GET_INFO: command('KVMI_VM_GET_INFO', { reply: L.KVMI_VM_GET_INFO_REPLY }),
  KVMI_VM_CONTROL_EVENTS: command('KVMI_VM_CONTROL_EVENTS', { request: L.KVMI_VM_CONTROL_EVENTS }),
  KVMI_VM_READ_PHYSICAL: command('KVMI_VM_READ_PHYSICAL', { request: L.KVMI_VM_READ_PHYSICAL, reply: L.KVMI_VM_READ_PHYSICAL_REPLY }),
  // A truncated WRITE_PHYSICAL body closes the socket (reference §3.1).
  KVMI_VM_WRITE_PHYSICAL: command('KVMI_VM_WRITE_PHYSICAL', { request: L.KVMI_VM_WRITE_PHYSICAL, lengthRule: 'hard' }),
  KVMI_VM_PAUSE_VCPU: command('KVMI_VM_PAUSE_VCPU', { request: L.KVMI_VM_PAUSE_VCPU }),
  KVMI_VM_CONTROL_CLEANUP: command('KVMI_VM_CONTROL_CLEANUP', { request: L.KVMI_VM_CONTROL_CLEANUP }),
  KVMI_VM_SET_PAGE_ACCESS: command('KVMI_VM_SET_PAGE_ACCESS', { request: L.KVMI_VM_SET_PAGE_ACCESS, lengthRule: 'einval' }),
  KVMI_VCPU_GET_INFO: command('KVMI_VCPU_GET_INFO', { reply: L.KVMI_VCPU_GET_INFO_REPLY }),
  KVMI_VCPU_CONTROL_EVENTS: command('KVMI_VCPU_CONTROL_EVENTS', { request: L.KVMI_VCPU_CONTROL_EVENTS }),
  KVMI_VCPU_GET_REGISTERS: command('KVMI_VCPU_GET_REGISTERS', {
    request: L.KVMI_VCPU_GET_REGISTERS, reply: L.KVMI_VCPU_GET_REGISTERS_REPLY, lengthRule: 'einval',
  }),
  KVMI_VCPU_SET_REGISTERS: command('KVMI_VCPU_SET_REGISTERS', { request: L.KVMI_VCPU_SET_REGISTERS }),
  KVMI_VCPU_GET_CPUID: command('KVMI_VCPU_GET_CPUID', { request: L.KVMI_VCPU_GET_CPUID, reply: L.KVMI_VCPU_GET_CPUID_REPLY }),
  KVMI_VCPU_CONTROL_CR: command('KVMI_VCPU_CONTROL_CR', { request: L.KVMI_VCPU_CONTROL_CR }),
  KVMI_VCPU_INJECT_EXCEPTION: command('KVMI_VCPU_INJECT_EXCEPTION', { request: L.KVMI_VCPU_INJECT_EXCEPTION }),
  KVMI_VCPU_GET_XCR: command('KVMI_VCPU_GET_XCR', { request: L.KVMI_VCPU_GET_XCR, reply: L.KVMI_VCPU_GET_XCR_REPLY }),
  KVMI_VCPU_GET_XSAVE: command('KVMI_VCPU_GET_XSAVE', { reply: L.KVMI_VCPU_GET_XSAVE_REPLY }),
  // SET_XSAVE needs the whole 4096-byte area, else -KVM_EINVAL (reference §3.2).
  KVMI_VCPU_SET_XSAVE: command('KVMI_VCPU_SET_XSAVE', { request: L.KVMI_VCPU_SET_XSAVE, lengthRule: 'einval' }),
  KVMI_VCPU_GET_MTRR_TYPE: command('KVMI_VCPU_GET_MTRR_TYPE', {
    request: L.KVMI_VCPU_GET_MTRR_TYPE, reply: L.KVMI_VCPU_GET_MTRR_TYPE_REPLY,
  }),
  KVMI_VCPU_CONTROL_MSR: command('KVMI_VCPU_CONTROL_MSR', { request: L.KVMI_VCPU_CONTROL_MSR }),
  KVMI_VCPU_CONTROL_SINGLESTEP: command('KVMI_VCPU_CONTROL_SINGLESTEP', { request: L.KVMI_VCPU_CONTROL_SINGLESTEP }),
  KVMI_VCPU_TRANSLATE_GVA: command('KVMI_VCPU_TRANSLATE_GVA', {
    request: L.KVMI_VCPU_TRANSLATE_GVA, reply: L.KVMI_VCPU_TRANSLATE_GVA_REPLY,
  }),
} as const;

export type CommandName = keyof typeof COMMANDS;
export type RequestOf<N extends CommandName> = (typeof COMMANDS)[N] extends CommandSpec<infer R, unknown> ? R : never;
export type ReplyOf<N extends CommandName> = (typeof COMMANDS)[N] extends CommandSpec<unknown, infer R> ? R : never;

export interface EventSpec<P = unknown, R = unknown> {
  readonly id: number;
  readonly name: string;
  readonly scope: 'vm' | 'vcpu';
  /** Layout after kvmi_vcpu_event; undefined = none. */
  readonly payload: StructLayout<P> | undefined;
  /** Layout after kvmi_vcpu_event_reply; undefined = none. */
  readonly reply: StructLayout<R> | undefined;
  /** Actions the event accepts; any other action is a protocol error (reference §4.1). Empty for VM events. */
  readonly actions: readonly KvmiEventAction[];
}

const { CONTINUE, RETRY, CRASH } = KVMI_EVENT_ACTION;

function event<P = undefined, R = undefined>(
  name: keyof typeof KVMI_EVENT, actions: readonly KvmiEventAction[],
  parts: { payload?: StructLayout<P>; reply?: StructLayout<R> } = {},
): EventSpec<P, R> {
  const id = KVMI_EVENT[name];
  return { id, name, scope: scopeOfId(id), payload: parts.payload, reply: parts.reply, actions };
}

/** Every v12 event, keyed by its macro name (reference §4.2). */
export const EVENTS = {
  KVMI_VM_EVENT_UNHOOK: event('KVMI_VM_EVENT_UNHOOK', []),
  KVMI_VCPU_EVENT_PAUSE: event('KVMI_VCPU_EVENT_PAUSE', [CONTINUE, CRASH]),
  KVMI_VCPU_EVENT_HYPERCALL: event('KVMI_VCPU_EVENT_HYPERCALL', [CONTINUE, CRASH]),
  KVMI_VCPU_EVENT_BREAKPOINT: event('KVMI_VCPU_EVENT_BREAKPOINT', [CONTINUE, RETRY, CRASH], { payload: L.KVMI_VCPU_EVENT_BREAKPOINT }),
  KVMI_VCPU_EVENT_CR: event('KVMI_VCPU_EVENT_CR', [CONTINUE, CRASH], { payload: L.KVMI_VCPU_EVENT_CR, reply: L.KVMI_VCPU_EVENT_CR_REPLY }),
  KVMI_VCPU_EVENT_TRAP: event('KVMI_VCPU_EVENT_TRAP', [CONTINUE, CRASH], { payload: L.KVMI_VCPU_EVENT_TRAP }),
  KVMI_VCPU_EVENT_XSETBV: event('KVMI_VCPU_EVENT_XSETBV', [CONTINUE, CRASH], { payload: L.KVMI_VCPU_EVENT_XSETBV }),
  KVMI_VCPU_EVENT_DESCRIPTOR: event('KVMI_VCPU_EVENT_DESCRIPTOR', [CONTINUE, RETRY, CRASH], { payload: L.KVMI_VCPU_EVENT_DESCRIPTOR }),
  KVMI_VCPU_EVENT_MSR: event('KVMI_VCPU_EVENT_MSR', [CONTINUE, CRASH], { payload: L.KVMI_VCPU_EVENT_MSR, reply: L.KVMI_VCPU_EVENT_MSR_REPLY }),
  KVMI_VCPU_EVENT_PF: event('KVMI_VCPU_EVENT_PF', [CONTINUE, RETRY, CRASH], { payload: L.KVMI_VCPU_EVENT_PF }),
  KVMI_VCPU_EVENT_SINGLESTEP: event('KVMI_VCPU_EVENT_SINGLESTEP', [CONTINUE, CRASH], { payload: L.KVMI_VCPU_EVENT_SINGLESTEP }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventPayloadOf<N extends EventName> = (typeof EVENTS)[N] extends EventSpec<infer P, unknown> ? P : never;
export type EventReplyOf<N extends EventName> = (typeof EVENTS)[N] extends EventSpec<unknown, infer R> ? R : never;

const commandsById = new Map<number, CommandSpec>(Object.values(COMMANDS).map((c) => [c.id, c as CommandSpec]));
const eventsById = new Map<number, EventSpec>(Object.values(EVENTS).map((e) => [e.id, e as EventSpec]));

/** The command with this wire id, or undefined (the peer must answer -KVM_ENOSYS). */
export function commandById(id: number): CommandSpec | undefined {
  return commandsById.get(id);
}

/** The event with this id, or undefined. */
export function eventById(id: number): EventSpec | undefined {
  return eventsById.get(id);
}
