// Commands and their replies, both directions, derived from the message table (KVMI reference §2.1,
// §3): the tool encodes requests and decodes replies; the VMM decodes requests with the kernel's
// validation rules (unknown id, vCPU header, size compatibility, explicit variable lengths, padding)
// and encodes replies (kvmi_error_code, then the reply struct only on success).
import { KVMI_ERR, KVMI_ERROR_CODE_SIZE, KVMI_MAX_MSG_SIZE, KVMI_VCPU_HDR_SIZE } from './constants';
import { KvmiDecodeError, KvmiEncodeError } from './errors';
import { buildMessage, vcpuHeader, type KvmiFrame } from './framing';
import type { StructLayout } from './layoutDsl';
import { KVMI_ERROR_CODE, KVMI_VCPU_HDR } from './layouts';
import { COMMANDS, commandById, type CommandName, type CommandSpec, type ReplyOf, type RequestOf } from './messages';
import { decodeStruct, encodeStruct, firstNonZeroPadding, requiredSize, zeroExtend } from './structCodec';

/** A command as the VMM receives it; `vcpu` is set for vCPU-scoped commands. */
export type DecodedCommand = {
  [N in CommandName]: { name: N; id: number; seq: number; vcpu: number | undefined; request: RequestOf<N> };
}[CommandName];

/** The outcome of a command as the tool sees it. */
export type CommandResult<R> = { ok: true; reply: R } | { ok: false; err: number };

function spec<N extends CommandName>(name: N): CommandSpec<RequestOf<N>, ReplyOf<N>> {
  return COMMANDS[name] as unknown as CommandSpec<RequestOf<N>, ReplyOf<N>>;
}

/** Tool side: a complete command message. `vcpu` is required for vCPU commands and refused for VM commands. */
export function encodeCommand<N extends CommandName>(name: N, seq: number, request: RequestOf<N>, vcpu?: number): Uint8Array {
  const command = spec(name);
  if (command.scope === 'vcpu' && vcpu === undefined) throw new KvmiEncodeError('kvmi_vcpu_hdr.vcpu', `${name} is a vCPU command and needs a vCPU index`);
  if (command.scope === 'vm' && vcpu !== undefined) throw new KvmiEncodeError('kvmi_vcpu_hdr.vcpu', `${name} is a VM command and takes no vCPU index`);
  const parts: Uint8Array[] = [];
  if (vcpu !== undefined) parts.push(vcpuHeader(vcpu));
  if (command.request) parts.push(encodeStruct(command.request, request));
  return buildMessage(command.id, seq, parts);
}

function reject(frame: KvmiFrame, message: string, code: number, hard: boolean, field?: string): never {
  throw new KvmiDecodeError(message, { code, hard, field, msgId: frame.hdr.id, seq: frame.hdr.seq });
}

/** Applies the command's length rule and returns the body to decode (zero-filled to the fixed size). */
function sizedBody(frame: KvmiFrame, command: CommandSpec, layout: StructLayout, body: Uint8Array): Uint8Array {
  const filled = zeroExtend(body, layout.size);
  if (command.lengthRule === 'zero-fill') return filled;
  const needed = requiredSize(layout, filled);
  if (body.length < needed) {
    reject(frame, `${command.name}: body of ${body.length} bytes is shorter than the ${needed} its fields require`,
      KVMI_ERR.EINVAL, command.lengthRule === 'hard', layout.tail?.name ?? layout.name);
  }
  return filled;
}

/**
 * VMM side: validates and decodes a command. Throws KvmiDecodeError: code -KVM_ENOSYS for an unknown
 * id, -KVM_EINVAL (soft) for bad padding or a bad explicit length, hard for what must close the socket.
 */
export function decodeCommand(frame: KvmiFrame): DecodedCommand {
  const { id, seq } = frame.hdr;
  if (frame.payload.length > KVMI_MAX_MSG_SIZE) reject(frame, `payload of ${frame.payload.length} bytes exceeds KVMI_MAX_MSG_SIZE`, KVMI_ERR.E2BIG, true, 'kvmi_msg_hdr.size');
  const command = commandById(id);
  if (!command) reject(frame, `unknown command id ${id}`, KVMI_ERR.ENOSYS, false, 'kvmi_msg_hdr.id');
  let body = frame.payload;
  let vcpu: number | undefined;
  if (command.scope === 'vcpu') {
    if (body.length < KVMI_VCPU_HDR_SIZE) reject(frame, `${command.name}: ${body.length} bytes cannot hold kvmi_vcpu_hdr`, KVMI_ERR.EINVAL, false, 'kvmi_vcpu_hdr');
    const badPad = firstNonZeroPadding(KVMI_VCPU_HDR, body);
    if (badPad) reject(frame, `${command.name}: kvmi_vcpu_hdr.${badPad} is not zero`, KVMI_ERR.EINVAL, false, `kvmi_vcpu_hdr.${badPad}`);
    vcpu = decodeStruct(KVMI_VCPU_HDR, body).vcpu;
    body = body.subarray(KVMI_VCPU_HDR_SIZE);
  }
  let request: unknown = undefined;
  const layout = command.request;
  if (layout) {
    const sized = sizedBody(frame, command, layout, body);
    const badPad = firstNonZeroPadding(layout, sized);
    if (badPad) reject(frame, `${command.name}: ${layout.name}.${badPad} is not zero`, KVMI_ERR.EINVAL, false, badPad);
    request = decodeStruct(layout, sized);
  }
  return { name: command.name, id, seq, vcpu, request } as DecodedCommand;
}

/** VMM side: the reply to a command. On success the reply struct follows the zero error code. */
export function encodeCommandReply<N extends CommandName>(name: N, seq: number, result: CommandResult<ReplyOf<N>>): Uint8Array {
  const command = spec(name);
  if (!result.ok) return encodeErrorReply(command.id, seq, result.err);
  const parts = [encodeStruct(KVMI_ERROR_CODE, { err: 0 })];
  if (command.reply) parts.push(encodeStruct(command.reply, result.reply));
  return buildMessage(command.id, seq, parts);
}

/** VMM side: an error-only reply for any message id (also for ids the table does not know). */
export function encodeErrorReply(id: number, seq: number, err: number): Uint8Array {
  if (err === 0) throw new KvmiEncodeError('kvmi_error_code.err', 'an error reply needs a non-zero error code');
  return buildMessage(id, seq, [encodeStruct(KVMI_ERROR_CODE, { err })]);
}

/**
 * Tool side: decodes the reply to `name`. Anything the kernel would never send (wrong id or seq, a
 * short reply, a non-empty error reply, non-zero padding) is a hard KvmiDecodeError. Extra trailing
 * bytes after a complete reply are ignored (a newer peer).
 */
export function decodeCommandReply<N extends CommandName>(name: N, frame: KvmiFrame, expectedSeq?: number): CommandResult<ReplyOf<N>> {
  const command = spec(name);
  const { payload } = frame;
  if (frame.hdr.id !== command.id) reject(frame, `reply id ${frame.hdr.id} does not match ${name} (${command.id})`, KVMI_ERR.EINVAL, true, 'kvmi_msg_hdr.id');
  if (expectedSeq !== undefined && frame.hdr.seq !== expectedSeq) reject(frame, `reply seq ${frame.hdr.seq}, expected ${expectedSeq}`, KVMI_ERR.EINVAL, true, 'kvmi_msg_hdr.seq');
  if (payload.length < KVMI_ERROR_CODE_SIZE) reject(frame, `${name} reply of ${payload.length} bytes cannot hold kvmi_error_code`, KVMI_ERR.EINVAL, true, 'kvmi_error_code');
  const badCodePad = firstNonZeroPadding(KVMI_ERROR_CODE, payload);
  if (badCodePad) reject(frame, `kvmi_error_code.${badCodePad} is not zero`, KVMI_ERR.EINVAL, true, `kvmi_error_code.${badCodePad}`);
  const { err } = decodeStruct(KVMI_ERROR_CODE, payload);
  if (err !== 0) {
    if (payload.length !== KVMI_ERROR_CODE_SIZE) reject(frame, `${name} error reply carries ${payload.length - KVMI_ERROR_CODE_SIZE} extra bytes`, KVMI_ERR.EINVAL, true, 'kvmi_msg_hdr.size');
    return { ok: false, err };
  }
  const layout = command.reply;
  if (!layout) return { ok: true, reply: undefined as ReplyOf<N> };
  const body = payload.subarray(KVMI_ERROR_CODE_SIZE);
  if (body.length < layout.size || body.length < requiredSize(layout, body)) {
    reject(frame, `${name} reply of ${body.length} bytes is shorter than its layout`, KVMI_ERR.EINVAL, true, layout.name);
  }
  const badPad = firstNonZeroPadding(layout, body);
  if (badPad) reject(frame, `${name} reply: ${badPad} is not zero`, KVMI_ERR.EINVAL, true, badPad);
  return { ok: true, reply: decodeStruct(layout, body) };
}
