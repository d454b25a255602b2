// The introspection tool's half of the handshake that precedes KVMI (KVMI reference §1.2, libkvmi's
// read_qemu_data / handshake callback): read qemu_vmi_to_introspector (struct_size first, then the
// rest; 32..64 KiB accepted), then answer with qemu_vmi_from_introspector carrying the cookie hash.
import type { Socket } from 'node:net';
import { KvmiDecodeError, QEMU_HANDSHAKE_MAX_SIZE, QEMU_HANDSHAKE_MIN_SIZE, decodeQemuToIntrospector, encodeIntrospectorToQemu } from '../../vmm/kvmi';
import { cookieHash } from '../../vmm/kvmi/cookieHash';
import { KvmiHandshakeError, SocketByteReader } from '../../vmm/kvmi/socketStream';

/** What the VMM told about its VM. */
export interface VmHandshakeInfo {
  uuid: Uint8Array;
  /** VM start time, ms since the epoch. */
  startTime: bigint;
  name: string;
  /** Guest-physical address limit, when the VMM sends it (the 104-byte layout). */
  maxGpa: bigint | undefined;
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/**
 * Reads the VMM's structure and answers it. The socket is left corked after the answer, so the
 * caller's first messages leave in the same write; the caller must uncork it. Resolves with the VM
 * info and the bytes already received beyond the handshake.
 */
export async function performClientHandshake(
  socket: Socket, key: Uint8Array | string | undefined, timeoutMs: number,
): Promise<{ info: VmHandshakeInfo; leftover: Uint8Array }> {
  const reader = new SocketByteReader(socket);
  const deadline = Date.now() + timeoutMs;
  try {
    const head = await reader.read(4, deadline, 'VMM handshake');
    const size = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
    if (size < QEMU_HANDSHAKE_MIN_SIZE || size > QEMU_HANDSHAKE_MAX_SIZE) {
      throw new KvmiHandshakeError(`the VMM's handshake claims ${size} bytes (accepted: ${QEMU_HANDSHAKE_MIN_SIZE} to ${QEMU_HANDSHAKE_MAX_SIZE})`);
    }
    const body = await reader.read(size - 4, deadline, 'VMM handshake');
    const whole = new Uint8Array(size);
    whole.set(head, 0);
    whole.set(body, 4);
    const decoded = decodeQemuToIntrospector(whole);
    socket.cork();
    socket.write(encodeIntrospectorToQemu({ cookie_hash: cookieHash(key) }));
    return {
      info: { uuid: decoded.uuid, startTime: decoded.start_time, name: cString(decoded.name), maxGpa: decoded.max_gpa },
      leftover: reader.detach(),
    };
  } catch (e) {
    reader.detach();
    if (e instanceof KvmiDecodeError) throw new KvmiHandshakeError(`malformed VMM handshake: ${e.message}`);
    throw e;
  }
}
