// The validation rules of KVMI reference §2.1 and §4.1 as the codec applies them: size limit,
// zero-filled short commands, ignored extra bytes, explicit variable lengths, padding -> -KVM_EINVAL
// naming the field, unknown ids -> -KVM_ENOSYS, event-reply rules (all hard), and typed encode errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMANDS, KVMI_ERR, KVMI_EVENT_ACTION, KVMI_MAX_MSG_SIZE, KVMI_MSG, KvmiDecodeError, KvmiEncodeError, KvmiFrameReader,
  buildMessage, decodeCommand, decodeCommandReply, decodeEvent, decodeEventReply, decodeIntrospectorToQemu,
  decodeQemuToIntrospector, encodeCommand, encodeEventReply, encodeIntrospectorToQemu, encodeQemuToIntrospector,
  encodeStruct, encodeVcpuEvent, parseMessage, vcpuHeader, type CommandSpec, type LaidOutField, type StructLayout,
} from '../../../src/vmm/kvmi';
import { KVMI_ERROR_CODE, KVMI_VCPU_EVENT, KVMI_VCPU_GET_REGISTERS, KVMI_VM_SET_PAGE_ACCESS, KVMI_VM_WRITE_PHYSICAL, KVM_XSAVE } from '../../../src/vmm/kvmi/layouts';
import { randomValue, seededRandom } from './randomValues';

const rng = seededRandom(42);

/** Asserts that `fn` throws a KvmiDecodeError with these properties. */
function rejects(fn: () => unknown, expected: { code: number; hard: boolean; field?: string }): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KvmiDecodeError, `expected KvmiDecodeError, got ${String(e)}`);
    assert.equal(e.code, expected.code);
    assert.equal(e.hard, expected.hard);
    if (expected.field !== undefined) assert.equal(e.field, expected.field);
    return true;
  });
}

const frame = (id: number, seq: number, ...parts: Uint8Array[]) => parseMessage(buildMessage(id, seq, parts));

test('a header announcing more than 8184 payload bytes is a hard error and poisons the reader', () => {
  const header = Uint8Array.of(2, 0, 0xf9, 0x1f, 9, 0, 0, 0); // id 2, size 8185, seq 9
  const reader = new KvmiFrameReader();
  rejects(() => reader.push(header), { code: KVMI_ERR.E2BIG, hard: true, field: 'kvmi_msg_hdr.size' });
  rejects(() => reader.push(new Uint8Array(8)), { code: KVMI_ERR.E2BIG, hard: true });
  const atLimit = buildMessage(KVMI_MSG.KVMI_VM_WRITE_PHYSICAL, 1, [new Uint8Array(KVMI_MAX_MSG_SIZE)]);
  assert.equal(new KvmiFrameReader().push(atLimit)[0].payload.length, 8184);
  assert.throws(() => buildMessage(2, 1, [new Uint8Array(KVMI_MAX_MSG_SIZE + 1)]), KvmiEncodeError);
});

test('a command shorter than its layout is accepted with the missing fields zero', () => {
  const cr = decodeCommand(frame(KVMI_MSG.KVMI_VCPU_CONTROL_CR, 1, vcpuHeader(2), Uint8Array.of(4)));
  assert.deepEqual(cr, { name: 'KVMI_VCPU_CONTROL_CR', id: 13, seq: 1, vcpu: 2, request: { cr: 4, enable: 0 } });
  const read = decodeCommand(frame(KVMI_MSG.KVMI_VM_READ_PHYSICAL, 2, Uint8Array.of(0, 0x10, 0, 0, 0, 0, 0, 0)));
  assert.deepEqual(read.request, { gpa: 0x1000n, size: 0 });
});

test('a command longer than its layout is accepted with the extra bytes ignored', () => {
  const body = Uint8Array.of(4, 1, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc);
  assert.deepEqual(decodeCommand(frame(KVMI_MSG.KVMI_VCPU_CONTROL_CR, 1, vcpuHeader(0), body)).request, { cr: 4, enable: 1 });
});

test('a vCPU command too short for kvmi_vcpu_hdr is refused with -KVM_EINVAL', () => {
  rejects(() => decodeCommand(frame(KVMI_MSG.KVMI_VCPU_GET_INFO, 1, Uint8Array.of(1, 0))), { code: KVMI_ERR.EINVAL, hard: false, field: 'kvmi_vcpu_hdr' });
});

test('WRITE_PHYSICAL with fewer data bytes than `size` closes the socket', () => {
  const req = encodeStruct(KVMI_VM_WRITE_PHYSICAL, { gpa: 0n, size: 4, data: Uint8Array.of(1, 2, 3, 4) });
  rejects(() => decodeCommand(frame(KVMI_MSG.KVMI_VM_WRITE_PHYSICAL, 1, req.subarray(0, req.length - 1))), { code: KVMI_ERR.EINVAL, hard: true, field: 'data' });
  rejects(() => decodeCommand(frame(KVMI_MSG.KVMI_VM_WRITE_PHYSICAL, 1, req.subarray(0, 10))), { code: KVMI_ERR.EINVAL, hard: true });
});

test('SET_PAGE_ACCESS, GET_REGISTERS and SET_XSAVE with a body too short for their counts get -KVM_EINVAL', () => {
  const access = encodeStruct(KVMI_VM_SET_PAGE_ACCESS, { count: 2, entries: [{ gpa: 0n, access: 7 }, { gpa: 0x1000n, access: 1 }] });
  rejects(() => decodeCommand(frame(KVMI_MSG.KVMI_VM_SET_PAGE_ACCESS, 1, access.subarray(0, 8 + 16))), { code: KVMI_ERR.EINVAL, hard: false, field: 'entries' });
  const regs = encodeStruct(KVMI_VCPU_GET_REGISTERS, { nmsrs: 3, msrs_idx: [0x10, 0x1b, 0xc0000080] });
  rejects(() => decodeCommand(frame(KVMI_MSG.KVMI_VCPU_GET_REGISTERS, 1, vcpuHeader(0), regs.subarray(0, 16))), { code: KVMI_ERR.EINVAL, hard: false, field: 'msrs_idx' });
  rejects(() => decodeCommand(frame(KVMI_MSG.KVMI_VCPU_SET_XSAVE, 1, vcpuHeader(0), new Uint8Array(KVM_XSAVE.size - 1))), { code: KVMI_ERR.EINVAL, hard: false });
  // Longer than the counts need: accepted, the surplus ignored.
  const longer = decodeCommand(frame(KVMI_MSG.KVMI_VM_SET_PAGE_ACCESS, 1, access, new Uint8Array(16)));
  assert.equal(longer.name === 'KVMI_VM_SET_PAGE_ACCESS' && longer.request.entries.length, 2);
});

function paddingFields(layout: StructLayout, prefix = '', base = 0): { path: string; offset: number }[] {
  return layout.fields.flatMap((f: LaidOutField) => {
    const path = prefix + f.name;
    if (f.pad) return [{ path, offset: base + f.offset + f.type.size - 1 }];
    return f.type.kind === 'struct' ? paddingFields(f.type, `${path}.`, base + f.offset) : [];
  });
}

test('non-zero padding anywhere in any command request is -KVM_EINVAL naming the field', () => {
  let checked = 0;
  for (const command of Object.values(COMMANDS) as CommandSpec[]) {
    const layout = command.request;
    if (!layout) continue;
    const prefix = command.scope === 'vcpu' ? [vcpuHeader(1)] : [];
    for (const pad of paddingFields(layout)) {
      const body = encodeStruct(layout, randomValue(layout, rng, 0));
      body[pad.offset] = 0x80;
      rejects(() => decodeCommand(frame(command.id, 5, ...prefix, body)), { code: KVMI_ERR.EINVAL, hard: false, field: pad.path });
      checked++;
    }
  }
  assert.equal(checked, 27, 'padding fields in the v12 command requests');
  const hdr = vcpuHeader(1);
  hdr[5] = 1;
  rejects(() => decodeCommand(frame(KVMI_MSG.KVMI_VCPU_GET_INFO, 1, hdr)), { code: KVMI_ERR.EINVAL, hard: false, field: 'kvmi_vcpu_hdr.padding2' });
  const entries = encodeStruct(KVMI_VM_SET_PAGE_ACCESS, { count: 2, entries: [{ gpa: 0n, access: 7 }, { gpa: 0n, access: 7 }] });
  entries[8 + 16 + 9] = 1;
  rejects(() => decodeCommand(frame(KVMI_MSG.KVMI_VM_SET_PAGE_ACCESS, 1, entries)), { code: KVMI_ERR.EINVAL, hard: false, field: 'entries[1].padding' });
});

test('an unknown command id is -KVM_ENOSYS, soft, with the id and seq to answer', () => {
  assert.throws(() => decodeCommand(frame(0xffff, 77)), (e: unknown) =>
    e instanceof KvmiDecodeError && e.code === KVMI_ERR.ENOSYS && !e.hard && e.msgId === 0xffff && e.seq === 77);
});

test('an event with an unknown event id is -KVM_ENOSYS', () => {
  rejects(() => decodeEvent(frame(KVMI_MSG.KVMI_VCPU_EVENT, 1, Uint8Array.of(0xfe, 0, 0, 0, 0, 0, 0, 0))), { code: KVMI_ERR.ENOSYS, hard: false });
});

const crReply = (seq: number, ...extra: Uint8Array[]) => frame(KVMI_MSG.KVMI_VCPU_EVENT, seq, vcpuHeader(0), Uint8Array.of(0, 7, 0, 0, 0, 0, 0, 0), ...extra);

test('an event reply with a shorter specific part is zero-filled; a longer one is a hard error', () => {
  const short = decodeEventReply('KVMI_VCPU_EVENT_CR', crReply(4, Uint8Array.of(0x44, 0x33)), { seq: 4, vcpu: 0 });
  assert.deepEqual(short.reply, { new_val: 0x3344n });
  assert.deepEqual(decodeEventReply('KVMI_VCPU_EVENT_CR', crReply(4), { seq: 4, vcpu: 0 }).reply, { new_val: 0n });
  rejects(() => decodeEventReply('KVMI_VCPU_EVENT_CR', crReply(4, new Uint8Array(9)), { seq: 4, vcpu: 0 }), { code: KVMI_ERR.EINVAL, hard: true });
  rejects(() => decodeEventReply('KVMI_VCPU_EVENT_PAUSE', crReply(4, new Uint8Array(1)), { seq: 4, vcpu: 0 }), { code: KVMI_ERR.EINVAL, hard: true });
});

test('event replies with a wrong seq, vCPU or action, too few bytes or non-zero padding close the socket', () => {
  const ok = encodeEventReply('KVMI_VCPU_EVENT_PF', 9, 1, KVMI_EVENT_ACTION.RETRY, undefined);
  assert.equal(decodeEventReply('KVMI_VCPU_EVENT_PF', parseMessage(ok), { seq: 9, vcpu: 1 }).action, KVMI_EVENT_ACTION.RETRY);
  rejects(() => decodeEventReply('KVMI_VCPU_EVENT_PF', parseMessage(ok), { seq: 10, vcpu: 1 }), { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_msg_hdr.seq' });
  rejects(() => decodeEventReply('KVMI_VCPU_EVENT_PF', parseMessage(ok), { seq: 9, vcpu: 0 }), { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_vcpu_hdr.vcpu' });
  rejects(() => decodeEventReply('KVMI_VCPU_EVENT_CR', frame(1, 9, vcpuHeader(1), Uint8Array.of(1, 7, 0, 0, 0, 0, 0, 0)), { seq: 9, vcpu: 1 }),
    { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_vcpu_event_reply.action' });
  rejects(() => decodeEventReply('KVMI_VCPU_EVENT_PF', frame(1, 9, vcpuHeader(1)), { seq: 9, vcpu: 1 }), { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_msg_hdr.size' });
  const padded = ok.slice();
  padded[8 + 8 + 3] = 1;
  rejects(() => decodeEventReply('KVMI_VCPU_EVENT_PF', parseMessage(padded), { seq: 9, vcpu: 1 }), { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_vcpu_event_reply.padding1' });
  const badVcpuPad = ok.slice();
  badVcpuPad[8 + 2] = 1;
  rejects(() => decodeEventReply('KVMI_VCPU_EVENT_PF', parseMessage(badVcpuPad), { seq: 9, vcpu: 1 }), { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_vcpu_hdr.padding1' });
});

test('command replies the kernel would never send are refused on the tool side', () => {
  const errorWithBody = frame(KVMI_MSG.KVMI_VM_GET_INFO, 3, encodeStruct(KVMI_ERROR_CODE, { err: KVMI_ERR.EPERM }), new Uint8Array(16));
  rejects(() => decodeCommandReply('KVMI_VM_GET_INFO', errorWithBody, 3), { code: KVMI_ERR.EINVAL, hard: true });
  const short = frame(KVMI_MSG.KVMI_VM_GET_INFO, 3, encodeStruct(KVMI_ERROR_CODE, { err: 0 }), new Uint8Array(4));
  rejects(() => decodeCommandReply('KVMI_VM_GET_INFO', short, 3), { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_vm_get_info_reply' });
  rejects(() => decodeCommandReply('KVMI_VM_GET_INFO', short, 4), { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_msg_hdr.seq' });
  rejects(() => decodeCommandReply('KVMI_GET_VERSION', short, 3), { code: KVMI_ERR.EINVAL, hard: true, field: 'kvmi_msg_hdr.id' });
});

test('values that do not fit the wire are refused with a KvmiEncodeError naming the field', () => {
  const fails = (fn: () => unknown, field: string) =>
    assert.throws(fn, (e: unknown) => e instanceof KvmiEncodeError && e.field === field);
  fails(() => encodeCommand('KVMI_VCPU_CONTROL_CR', 1, { cr: 256, enable: 1 }, 0), 'kvmi_vcpu_control_cr.cr');
  fails(() => encodeCommand('KVMI_VCPU_TRANSLATE_GVA', 1, { gva: 1n << 64n }, 0), 'kvmi_vcpu_translate_gva.gva');
  fails(() => encodeCommand('KVMI_VCPU_TRANSLATE_GVA', 1, { gva: 5 as unknown as bigint }, 0), 'kvmi_vcpu_translate_gva.gva');
  fails(() => encodeCommand('KVMI_VM_WRITE_PHYSICAL', 1, { gpa: 0n, size: 5, data: new Uint8Array(4) }), 'kvmi_vm_write_physical.size');
  fails(() => encodeCommand('KVMI_VCPU_GET_INFO', 1, undefined), 'kvmi_vcpu_hdr.vcpu');
  fails(() => encodeCommand('KVMI_GET_VERSION', 1, undefined, 0), 'kvmi_vcpu_hdr.vcpu');
  fails(() => encodeEventReply('KVMI_VCPU_EVENT_CR', 1, 0, KVMI_EVENT_ACTION.RETRY, { new_val: 0n }), 'kvmi_vcpu_event_reply.action');
  const { size: _size, ...state } = randomValue(KVMI_VCPU_EVENT, rng);
  state.arch.sregs.cs.selector = 0x10000;
  fails(() => encodeVcpuEvent('KVMI_VCPU_EVENT_PAUSE', 1, state, undefined), 'kvmi_vcpu_event.arch.sregs.cs.selector');
  state.arch.sregs.cs.selector = 0x10;
  state.arch.sregs.interrupt_bitmap = [0n, 0n, -1n, 0n];
  fails(() => encodeVcpuEvent('KVMI_VCPU_EVENT_PAUSE', 1, state, undefined), 'kvmi_vcpu_event.arch.sregs.interrupt_bitmap[2]');
  (state.arch.sregs as { interrupt_bitmap: bigint[] }).interrupt_bitmap = [0n, 0n, 0n];
  fails(() => encodeVcpuEvent('KVMI_VCPU_EVENT_PAUSE', 1, state, undefined), 'kvmi_vcpu_event.arch.sregs.interrupt_bitmap');
  (state.arch as { regs: unknown }).regs = 7;
  fails(() => encodeVcpuEvent('KVMI_VCPU_EVENT_PAUSE', 1, state, undefined), 'kvmi_vcpu_event.arch.regs');
  fails(() => encodeCommand('KVMI_VM_SET_PAGE_ACCESS', 1, { count: 2, entries: [{ gpa: 0n, access: 7 }, { gpa: 0n, access: 300 }] }),
    'kvmi_vm_set_page_access.entries[1].access');
  fails(() => encodeQemuToIntrospector({ uuid: new Uint8Array(15), start_time: 0n, name: new Uint8Array(64), max_gpa: 0n }), 'qemu_vmi_to_introspector.uuid');
});

test('the QEMU handshake accepts the 104- and 96-byte layouts and refuses impossible sizes', () => {
  const value = { uuid: Uint8Array.from({ length: 16 }, (_, i) => i), start_time: -5n, name: new Uint8Array(64), max_gpa: 1n << 32n };
  const full = encodeQemuToIntrospector(value);
  assert.equal(full.length, 104);
  assert.deepEqual(decodeQemuToIntrospector(full), value);
  const legacy = full.slice(0, 96);
  legacy[0] = 96;
  assert.deepEqual(decodeQemuToIntrospector(legacy), { ...value, max_gpa: undefined });
  const tooSmall = full.slice(0, 28);
  tooSmall[0] = 28;
  rejects(() => decodeQemuToIntrospector(tooSmall), { code: KVMI_ERR.EINVAL, hard: true, field: 'struct_size' });
  rejects(() => decodeQemuToIntrospector(full.slice(0, 50)), { code: KVMI_ERR.EINVAL, hard: true, field: 'struct_size' });
  const answer = encodeIntrospectorToQemu({ cookie_hash: new Uint8Array(20).fill(0xab) });
  assert.deepEqual([...answer.subarray(0, 4)], [24, 0, 0, 0]);
  assert.deepEqual(decodeIntrospectorToQemu(answer).cookie_hash, new Uint8Array(20).fill(0xab));
});
