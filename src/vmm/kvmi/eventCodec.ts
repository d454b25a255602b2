// Events and event replies, both directions, derived from the event table (KVMI reference §4.1-§4.2):
// the VMM encodes VM events (kvmi_event_hdr only) and vCPU events (kvmi_event_hdr, kvmi_vcpu_event,
// specific payload) and validates replies; the tool decodes events and encodes replies.
import { KVMI_ERR, KVMI_EVENT_HDR_SIZE, KVMI_EVENT_REPLY_MIN_SIZE, KVMI_MSG, KVMI_VCPU_EVENT_SIZE, KVMI_VCPU_HDR_SIZE, type KvmiEventAction } from './constants';
import { KvmiDecodeError, KvmiEncodeError } from './errors';
import { buildMessage, vcpuHeader, type KvmiFrame } from './framing';
import { findField, type ValueOfLayout } from './layoutDsl';
import { KVMI_EVENT_HDR, KVMI_VCPU_EVENT, KVMI_VCPU_EVENT_ARCH, KVMI_VCPU_EVENT_REPLY, KVMI_VCPU_HDR } from './layouts';
import { EVENTS, eventById, type EventName, type EventPayloadOf, type EventReplyOf, type EventSpec } from './messages';
import { decodeStruct, encodeStruct, firstNonZeroPadding, zeroExtend } from './structCodec';

/** struct kvmi_vcpu_event as a value (`size` included, as sent). */
export type KvmiVcpuEvent = ValueOfLayout<typeof KVMI_VCPU_EVENT>;
/** The common vCPU state to send with an event; `size` is filled in by the encoder. */
export type KvmiVcpuEventState = Omit<KvmiVcpuEvent, 'size'>;

type VcpuEventName = Exclude<EventName, 'KVMI_VM_EVENT_UNHOOK'>;

/** An event as the tool receives it. */
export type DecodedEvent =
  | { scope: 'vm'; name: 'KVMI_VM_EVENT_UNHOOK'; id: number; seq: number }
  | { [N in VcpuEventName]: { scope: 'vcpu'; name: N; id: number; seq: number; vcpu: number; common: KvmiVcpuEvent; payload: EventPayloadOf<N> } }[VcpuEventName];

/** An event reply as the VMM receives it. */
export interface DecodedEventReply<R> {
  action: KvmiEventAction;
  /** The `event` byte of the reply (the kernel does not check it). */
  event: number;
  vcpu: number;
  /** The specific reply, zero-filled when the tool sent a shorter one; undefined when the event has none. */
  reply: R;
}

function spec<N extends EventName>(name: N): EventSpec<EventPayloadOf<N>, EventReplyOf<N>> {
  return EVENTS[name] as unknown as EventSpec<EventPayloadOf<N>, EventReplyOf<N>>;
}

function reject(frame: KvmiFrame, message: string, field: string, code: number = KVMI_ERR.EINVAL, hard = true): never {
  throw new KvmiDecodeError(message, { code, hard, field, msgId: frame.hdr.id, seq: frame.hdr.seq });
}

/** VMM side: a VM-scoped event message (only UNHOOK exists); it takes no reply. */
export function encodeVmEvent(name: 'KVMI_VM_EVENT_UNHOOK', seq: number): Uint8Array {
  return buildMessage(KVMI_MSG.KVMI_VM_EVENT, seq, [encodeStruct(KVMI_EVENT_HDR, { event: EVENTS[name].id })]);
}

/** The common state with kvmi_vcpu_event_arch already encoded (KVMI_VCPU_EVENT_ARCH.size bytes). */
export interface KvmiVcpuEventEncodedState { vcpu: number; archBytes: Uint8Array }

const COMMON_SIZE_AT = findField(KVMI_VCPU_EVENT, 'size')!.offset;
const COMMON_VCPU_AT = findField(KVMI_VCPU_EVENT, 'vcpu')!.offset;
const COMMON_ARCH_AT = findField(KVMI_VCPU_EVENT, 'arch')!.offset;

/** kvmi_vcpu_event around arch bytes encoded already (by the vCPU thread that raised the event). */
function encodeCommonWithArch({ vcpu, archBytes }: KvmiVcpuEventEncodedState): Uint8Array {
  if (archBytes.length !== KVMI_VCPU_EVENT_ARCH.size) throw new KvmiEncodeError('kvmi_vcpu_event.arch', `expected ${KVMI_VCPU_EVENT_ARCH.size} bytes, got ${archBytes.length}`);
  if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu > 0xffff) throw new KvmiEncodeError('kvmi_vcpu_event.vcpu', `${vcpu} does not fit u16`);
  const out = new Uint8Array(KVMI_VCPU_EVENT.size);
  const view = new DataView(out.buffer);
  view.setUint16(COMMON_SIZE_AT, KVMI_VCPU_EVENT.size, true);
  view.setUint16(COMMON_VCPU_AT, vcpu, true);
  out.set(archBytes, COMMON_ARCH_AT);
  return out;
}

/**
 * VMM side: a vCPU event message with its common state and specific payload. The state's arch may
 * come as a value or as kvmi_vcpu_event_arch bytes, which are sent unchanged.
 */
export function encodeVcpuEvent<N extends VcpuEventName>(name: N, seq: number, state: KvmiVcpuEventState | KvmiVcpuEventEncodedState, payload: EventPayloadOf<N>): Uint8Array {
  const event = spec(name);
  const parts = [
    encodeStruct(KVMI_EVENT_HDR, { event: event.id }),
    'archBytes' in state ? encodeCommonWithArch(state) : encodeStruct(KVMI_VCPU_EVENT, { ...state, size: KVMI_VCPU_EVENT.size }),
  ];
  if (event.payload) parts.push(encodeStruct(event.payload, payload));
  return buildMessage(KVMI_MSG.KVMI_VCPU_EVENT, seq, parts);
}

/**
 * Tool side: decodes an event. A kvmi_vcpu_event larger than 544 bytes (a newer kernel) is accepted:
 * the specific payload starts after `size` bytes. Unknown event ids give a soft -KVM_ENOSYS error;
 * every malformed event is a hard error.
 */
export function decodeEvent(frame: KvmiFrame): DecodedEvent {
  const { id, seq } = frame.hdr;
  const payload = frame.payload;
  if (id !== KVMI_MSG.KVMI_VM_EVENT && id !== KVMI_MSG.KVMI_VCPU_EVENT) reject(frame, `message id ${id} is not an event`, 'kvmi_msg_hdr.id');
  if (payload.length < KVMI_EVENT_HDR_SIZE) reject(frame, `event of ${payload.length} bytes cannot hold kvmi_event_hdr`, 'kvmi_event_hdr');
  const hdrPad = firstNonZeroPadding(KVMI_EVENT_HDR, payload);
  if (hdrPad) reject(frame, `kvmi_event_hdr.${hdrPad} is not zero`, `kvmi_event_hdr.${hdrPad}`);
  const eventId = decodeStruct(KVMI_EVENT_HDR, payload).event;
  const event = eventById(eventId);
  if (!event) reject(frame, `unknown event id ${eventId}`, 'kvmi_event_hdr.event', KVMI_ERR.ENOSYS, false);
  const carrier = event.scope === 'vm' ? KVMI_MSG.KVMI_VM_EVENT : KVMI_MSG.KVMI_VCPU_EVENT;
  if (id !== carrier) reject(frame, `${event.name} arrived in message id ${id}, expected ${carrier}`, 'kvmi_msg_hdr.id');
  if (event.scope === 'vm') return { scope: 'vm', name: 'KVMI_VM_EVENT_UNHOOK', id: eventId, seq };

  const rest = payload.subarray(KVMI_EVENT_HDR_SIZE);
  if (rest.length < KVMI_VCPU_EVENT_SIZE) reject(frame, `${event.name}: ${rest.length} bytes cannot hold kvmi_vcpu_event`, 'kvmi_vcpu_event');
  const common = decodeStruct(KVMI_VCPU_EVENT, rest);
  if (common.size < KVMI_VCPU_EVENT_SIZE || common.size > rest.length) reject(frame, `${event.name}: kvmi_vcpu_event.size ${common.size} is impossible`, 'kvmi_vcpu_event.size');
  const commonPad = firstNonZeroPadding(KVMI_VCPU_EVENT, rest);
  if (commonPad) reject(frame, `${event.name}: kvmi_vcpu_event.${commonPad} is not zero`, `kvmi_vcpu_event.${commonPad}`);
  let specific: unknown = undefined;
  if (event.payload) {
    const body = rest.subarray(common.size);
    if (body.length < event.payload.size) reject(frame, `${event.name}: specific part of ${body.length} bytes, expected ${event.payload.size}`, event.payload.name);
    const pad = firstNonZeroPadding(event.payload, body);
    if (pad) reject(frame, `${event.name}: ${event.payload.name}.${pad} is not zero`, pad);
    specific = decodeStruct(event.payload, body);
  }
  return { scope: 'vcpu', name: event.name, id: eventId, seq, vcpu: common.vcpu, common, payload: specific } as DecodedEvent;
}

/** Tool side: the reply to a vCPU event. `reply` is the event-specific reply (CR and MSR events only). */
export function encodeEventReply<N extends VcpuEventName>(
  name: N, seq: number, vcpu: number, action: KvmiEventAction, reply: EventReplyOf<N>,
): Uint8Array {
  const event = spec(name);
  if (!event.actions.includes(action)) throw new KvmiEncodeError('kvmi_vcpu_event_reply.action', `${name} does not accept action ${action}`);
  const parts = [vcpuHeader(vcpu), encodeStruct(KVMI_VCPU_EVENT_REPLY, { action, event: event.id })];
  if (event.reply) parts.push(encodeStruct(event.reply, reply));
  return buildMessage(KVMI_MSG.KVMI_VCPU_EVENT, seq, parts);
}

/**
 * VMM side: validates the reply to the event `name` sent with `seq` to `vcpu`. Every rule violation
 * is hard, as the kernel shuts the socket down (reference §4.1 "Reply validation"): wrong id, seq or
 * vCPU, fewer than 16 bytes, a specific part longer than expected, non-zero padding, a refused action.
 */
export function decodeEventReply<N extends VcpuEventName>(
  name: N, frame: KvmiFrame, expected: { seq: number; vcpu: number },
): DecodedEventReply<EventReplyOf<N>> {
  const event = spec(name);
  const { payload } = frame;
  if (frame.hdr.id !== KVMI_MSG.KVMI_VCPU_EVENT) reject(frame, `event reply must use id ${KVMI_MSG.KVMI_VCPU_EVENT}, got ${frame.hdr.id}`, 'kvmi_msg_hdr.id');
  if (frame.hdr.seq !== expected.seq) reject(frame, `event reply seq ${frame.hdr.seq}, expected ${expected.seq}`, 'kvmi_msg_hdr.seq');
  if (payload.length < KVMI_EVENT_REPLY_MIN_SIZE) reject(frame, `event reply of ${payload.length} bytes, at least ${KVMI_EVENT_REPLY_MIN_SIZE} needed`, 'kvmi_msg_hdr.size');
  const vcpuPad = firstNonZeroPadding(KVMI_VCPU_HDR, payload);
  if (vcpuPad) reject(frame, `kvmi_vcpu_hdr.${vcpuPad} is not zero`, `kvmi_vcpu_hdr.${vcpuPad}`);
  const { vcpu } = decodeStruct(KVMI_VCPU_HDR, payload);
  if (vcpu !== expected.vcpu) reject(frame, `event reply for vCPU ${vcpu}, the event came from vCPU ${expected.vcpu}`, 'kvmi_vcpu_hdr.vcpu');
  const common = payload.subarray(KVMI_VCPU_HDR_SIZE);
  const replyPad = firstNonZeroPadding(KVMI_VCPU_EVENT_REPLY, common);
  if (replyPad) reject(frame, `kvmi_vcpu_event_reply.${replyPad} is not zero`, `kvmi_vcpu_event_reply.${replyPad}`);
  const { action, event: eventByte } = decodeStruct(KVMI_VCPU_EVENT_REPLY, common);
  if (!(event.actions as readonly number[]).includes(action)) reject(frame, `${name} does not accept action ${action}`, 'kvmi_vcpu_event_reply.action');
  const specific = payload.subarray(KVMI_EVENT_REPLY_MIN_SIZE);
  const expectedSize = event.reply?.size ?? 0;
  if (specific.length > expectedSize) reject(frame, `${name} reply carries ${specific.length} specific bytes, at most ${expectedSize} allowed`, 'kvmi_msg_hdr.size');
  let reply: unknown = undefined;
  if (event.reply) {
    const filled = zeroExtend(specific, event.reply.size);
    const pad = firstNonZeroPadding(event.reply, filled);
    if (pad) reject(frame, `${event.reply.name}.${pad} is not zero`, pad);
    reply = decodeStruct(event.reply, filled);
  }
  return { action: action as KvmiEventAction, event: eventByte, vcpu, reply: reply as EventReplyOf<N> };
}
