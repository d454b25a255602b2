// The cookie hash of the QEMU <-> tool handshake (KVMI reference §1.2): the tool proves it knows the
// shared secret by sending a 20-byte (QEMU_VMI_COOKIE_HASH_SIZE, SHA-1 sized) hash of it in
// qemu_vmi_from_introspector.cookie_hash. Without a configured secret the hash is all zeros.
import { createHash, timingSafeEqual } from 'node:crypto';

export const COOKIE_HASH_SIZE = 20;

/** SHA-1 of the secret, or 20 zero bytes when there is no secret. */
export function cookieHash(secret: Uint8Array | string | undefined): Uint8Array {
  if (secret === undefined) return new Uint8Array(COOKIE_HASH_SIZE);
  return new Uint8Array(createHash('sha1').update(secret).digest());
}

/** Constant-time comparison of two cookie hashes. */
export function sameCookieHash(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === COOKIE_HASH_SIZE && b.length === COOKIE_HASH_SIZE && timingSafeEqual(a, b);
}
