// KVMI message framing (KVMI reference §2.1): building one complete message (kvmi_msg_hdr, optional
// kvmi_vcpu_hdr, body) to hand to a single socket write, and a streaming reader that cuts a byte
// stream into messages across partial reads, closing on a payload larger than KVMI_MAX_MSG_SIZE.
import { KVMI_ERR, KVMI_MAX_MSG_SIZE, KVMI_MSG_HDR_SIZE } from './constants';
import { KvmiDecodeError, KvmiEncodeError } from './errors';
import { KVMI_MSG_HDR, KVMI_VCPU_HDR } from './layouts';
import { decodeStruct, encodeStruct } from './structCodec';

export interface KvmiMsgHdr {
  id: number;
  /** Payload bytes after the header. */
  size: number;
  seq: number;
}

/** One message as read from the socket: its header and exactly `hdr.size` payload bytes. */
export interface KvmiFrame {
  hdr: KvmiMsgHdr;
  payload: Uint8Array;
}

/** Encodes kvmi_vcpu_hdr for `vcpu` (padding zero). */
export function vcpuHeader(vcpu: number): Uint8Array {
  return encodeStruct(KVMI_VCPU_HDR, { vcpu });
}

/**
 * Builds a complete message: header with `size` = total length of `parts`, then the parts in order.
 * Throws KvmiEncodeError when the payload exceeds KVMI_MAX_MSG_SIZE.
 */
export function buildMessage(id: number, seq: number, parts: readonly Uint8Array[]): Uint8Array {
  const size = parts.reduce((n, p) => n + p.length, 0);
  if (size > KVMI_MAX_MSG_SIZE) throw new KvmiEncodeError('kvmi_msg_hdr.size', `payload of ${size} bytes exceeds KVMI_MAX_MSG_SIZE (${KVMI_MAX_MSG_SIZE})`);
  const out = new Uint8Array(KVMI_MSG_HDR_SIZE + size);
  out.set(encodeStruct(KVMI_MSG_HDR, { id, size, seq }), 0);
  let at = KVMI_MSG_HDR_SIZE;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Splits one buffer that holds exactly one message into its frame (header size must match). */
export function parseMessage(bytes: Uint8Array): KvmiFrame {
  const frames = new KvmiFrameReader().push(bytes);
  if (frames.length !== 1 || frames[0].payload.length + KVMI_MSG_HDR_SIZE !== bytes.length) {
    throw new KvmiDecodeError(`expected exactly one message in ${bytes.length} bytes`, { code: KVMI_ERR.EINVAL, hard: true });
  }
  return frames[0];
}

/**
 * Incremental reader: feed it whatever the socket returned; it returns the messages completed so far
 * and keeps the rest. After a hard error (oversized message) every later push throws the same error,
 * because the stream can no longer be resynchronised and the socket must be closed.
 */
export class KvmiFrameReader {
  private buffered: Uint8Array = new Uint8Array(0);
  private failure: KvmiDecodeError | undefined;

  /** Number of bytes received but not yet part of a complete message. */
  get pendingBytes(): number {
    return this.buffered.length;
  }

  push(chunk: Uint8Array): KvmiFrame[] {
    if (this.failure) throw this.failure;
    const data = this.buffered.length === 0 ? chunk : concat(this.buffered, chunk);
    const frames: KvmiFrame[] = [];
    let at = 0;
    while (data.length - at >= KVMI_MSG_HDR_SIZE) {
      const hdr = decodeStruct(KVMI_MSG_HDR, data, at);
      if (hdr.size > KVMI_MAX_MSG_SIZE) {
        this.failure = new KvmiDecodeError(`message id ${hdr.id} seq ${hdr.seq}: payload of ${hdr.size} bytes exceeds KVMI_MAX_MSG_SIZE (${KVMI_MAX_MSG_SIZE})`,
          { code: KVMI_ERR.E2BIG, hard: true, field: 'kvmi_msg_hdr.size', msgId: hdr.id, seq: hdr.seq });
        this.buffered = new Uint8Array(0);
        throw this.failure;
      }
      const end = at + KVMI_MSG_HDR_SIZE + hdr.size;
      if (end > data.length) break;
      frames.push({ hdr, payload: data.slice(at + KVMI_MSG_HDR_SIZE, end) });
      at = end;
    }
    this.buffered = data.slice(at);
    return frames;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
