// The QEMU <-> introspection-tool handshake that precedes KVMI on the same socket (KVMI reference §1.2).
// Both structures are open-ended: the reader takes `struct_size` bytes and keeps the part it knows;
// a qemu_vmi_to_introspector without max_gpa (the older 96-byte layout) decodes with max_gpa = undefined.
import { KVMI_ERR } from './constants';
import { KvmiDecodeError } from './errors';
import type { ValueOfLayout } from './layoutDsl';
import { findField } from './layoutDsl';
import { QEMU_VMI_FROM_INTROSPECTOR, QEMU_VMI_TO_INTROSPECTOR } from './layouts';
import { decodeStruct, encodeStruct, firstNonZeroPadding, zeroExtend } from './structCodec';

export type QemuToIntrospector = Omit<ValueOfLayout<typeof QEMU_VMI_TO_INTROSPECTOR>, 'struct_size' | 'max_gpa'> & { max_gpa: bigint | undefined };
export type IntrospectorToQemu = Omit<ValueOfLayout<typeof QEMU_VMI_FROM_INTROSPECTOR>, 'struct_size'>;

/** offsetof(qemu_vmi_to_introspector, name): libkvmi refuses anything shorter (ENODATA). */
export const QEMU_HANDSHAKE_MIN_SIZE = findField(QEMU_VMI_TO_INTROSPECTOR, 'name')!.offset;
/** libkvmi refuses a struct_size above 64 KiB (E2BIG). */
export const QEMU_HANDSHAKE_MAX_SIZE = 64 * 1024;
const MAX_GPA_END = findField(QEMU_VMI_TO_INTROSPECTOR, 'max_gpa')!.offset + 8;

function fail(message: string, field: string): never {
  throw new KvmiDecodeError(message, { code: KVMI_ERR.EINVAL, hard: true, field });
}

/** Reads the leading u32 struct_size of either handshake structure (needs at least 4 bytes). */
export function handshakeStructSize(bytes: Uint8Array): number {
  if (bytes.length < 4) fail(`handshake of ${bytes.length} bytes cannot hold struct_size`, 'struct_size');
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}

/** QEMU side: the 104-byte structure, struct_size filled in (max_gpa undefined sends 0). */
export function encodeQemuToIntrospector(value: QemuToIntrospector): Uint8Array {
  return encodeStruct(QEMU_VMI_TO_INTROSPECTOR, { ...value, struct_size: QEMU_VMI_TO_INTROSPECTOR.size, max_gpa: value.max_gpa ?? 0n });
}

/** Tool side: decodes exactly `struct_size` bytes as sent by QEMU. */
export function decodeQemuToIntrospector(bytes: Uint8Array): QemuToIntrospector {
  const size = handshakeStructSize(bytes);
  if (size < QEMU_HANDSHAKE_MIN_SIZE) fail(`struct_size ${size} is below ${QEMU_HANDSHAKE_MIN_SIZE}`, 'struct_size');
  if (size > QEMU_HANDSHAKE_MAX_SIZE) fail(`struct_size ${size} exceeds ${QEMU_HANDSHAKE_MAX_SIZE}`, 'struct_size');
  if (bytes.length !== size) fail(`struct_size says ${size} bytes, got ${bytes.length}`, 'struct_size');
  const filled = zeroExtend(bytes, QEMU_VMI_TO_INTROSPECTOR.size);
  const pad = firstNonZeroPadding(QEMU_VMI_TO_INTROSPECTOR, filled);
  if (pad) fail(`qemu_vmi_to_introspector.${pad} is not zero`, pad);
  const { struct_size: _size, max_gpa, ...rest } = decodeStruct(QEMU_VMI_TO_INTROSPECTOR, filled);
  return { ...rest, max_gpa: size >= MAX_GPA_END ? max_gpa : undefined };
}

/** Tool side: the 24-byte answer carrying the cookie hash. */
export function encodeIntrospectorToQemu(value: IntrospectorToQemu): Uint8Array {
  return encodeStruct(QEMU_VMI_FROM_INTROSPECTOR, { ...value, struct_size: QEMU_VMI_FROM_INTROSPECTOR.size });
}

/** QEMU side: accepts the answer only if it holds the whole cookie hash (reference §1.2). */
export function decodeIntrospectorToQemu(bytes: Uint8Array): IntrospectorToQemu {
  const size = handshakeStructSize(bytes);
  if (size < QEMU_VMI_FROM_INTROSPECTOR.size) fail(`struct_size ${size} is below ${QEMU_VMI_FROM_INTROSPECTOR.size}`, 'struct_size');
  if (size > QEMU_HANDSHAKE_MAX_SIZE) fail(`struct_size ${size} exceeds ${QEMU_HANDSHAKE_MAX_SIZE}`, 'struct_size');
  if (bytes.length !== size) fail(`struct_size says ${size} bytes, got ${bytes.length}`, 'struct_size');
  const { struct_size: _size, ...rest } = decodeStruct(QEMU_VMI_FROM_INTROSPECTOR, bytes);
  return rest;
}
