// The VMM's half of the handshake that precedes KVMI on a freshly connected socket (KVMI reference
// §1.2, as QEMU's vm-introspection.c does it): send qemu_vmi_to_introspector (uuid, start time,
// name, max_gpa), read qemu_vmi_from_introspector and check its cookie hash against the SHA-1 of
// the configured key. Any mismatch, malformed answer or timeout refuses the tool.
import type { Socket } from 'node:net';
import { KvmiDecodeError, QEMU_HANDSHAKE_MAX_SIZE, decodeIntrospectorToQemu, encodeQemuToIntrospector } from '../kvmi';
import { cookieHash, sameCookieHash } from '../kvmi/cookieHash';
import { KvmiHandshakeError, SocketByteReader } from '../kvmi/socketStream';

export interface VmIdentity {
  uuid: Uint8Array;
  /** VM start time in ms since the epoch. */
  startTime: bigint;
  name: string;
  /** Highest guest-physical address + 1 (the RAM size here). */
  maxGpa: bigint;
}

const NAME_BYTES = 64;

function nameField(name: string): Uint8Array {
  const out = new Uint8Array(NAME_BYTES);
  out.set(new TextEncoder().encode(name).subarray(0, NAME_BYTES - 1));
  return out;
}

/**
 * Runs the handshake; resolves with the bytes that followed the tool's answer (the first KVMI
 * messages, if the tool sent them at once). Rejects with KvmiHandshakeError.
 */
export async function performHostHandshake(socket: Socket, vm: VmIdentity, key: Uint8Array | undefined, timeoutMs: number): Promise<Uint8Array> {
  const reader = new SocketByteReader(socket);
  const deadline = Date.now() + timeoutMs;
  try {
    socket.write(encodeQemuToIntrospector({ uuid: vm.uuid, start_time: vm.startTime, name: nameField(vm.name), max_gpa: vm.maxGpa }));
    const sizeBytes = await reader.read(4, deadline, 'introspection handshake');
    const size = new DataView(sizeBytes.buffer, sizeBytes.byteOffset, 4).getUint32(0, true);
    if (size < 4 || size > QEMU_HANDSHAKE_MAX_SIZE) throw new KvmiHandshakeError(`the tool's handshake answer claims ${size} bytes`);
    const rest = await reader.read(size - 4, deadline, 'introspection handshake');
    const whole = new Uint8Array(size);
    whole.set(sizeBytes, 0);
    whole.set(rest, 4);
    const answer = decodeIntrospectorToQemu(whole);
    if (key !== undefined && !sameCookieHash(answer.cookie_hash, cookieHash(key))) {
      throw new KvmiHandshakeError('the tool sent the wrong cookie hash: it does not know the --introspect-key secret');
    }
    return reader.detach();
  } catch (e) {
    reader.detach();
    if (e instanceof KvmiDecodeError) throw new KvmiHandshakeError(`malformed handshake answer: ${e.message}`);
    throw e;
  }
}
