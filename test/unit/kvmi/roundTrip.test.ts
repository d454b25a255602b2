// Round trips of every KVMI v12 message through the full path a socket would see: encode, feed the
// bytes to the frame reader, decode; for every command (request, success reply, error reply) and
// every event (event message, event reply), with random field values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMANDS, EVENTS, KVMI_EVENT_ACTION, KVMI_ERR, KvmiFrameReader, KVMI_VCPU_EVENT, type CommandName, type CommandSpec, type EventName, type EventSpec, type KvmiEventAction,
  decodeCommand, decodeCommandReply, decodeEvent, decodeEventReply, encodeCommand, encodeCommandReply,
  encodeErrorReply, encodeEventReply, encodeVcpuEvent, encodeVmEvent, parseMessage,
} from '../../../src/vmm/kvmi';
import { randomValue, seededRandom } from './randomValues';

const rng = seededRandom(0x5eed);
const commandNames = Object.keys(COMMANDS) as CommandName[];
const vcpuEventNames = (Object.keys(EVENTS) as EventName[]).filter((n) => n !== 'KVMI_VM_EVENT_UNHOOK') as Exclude<EventName, 'KVMI_VM_EVENT_UNHOOK'>[];

test('the table holds all 24 v12 commands (every message id but the two event carriers) and 11 events', () => {
  assert.equal(commandNames.length, 24);
  assert.deepEqual(commandNames.map((n) => COMMANDS[n].id).sort((a, b) => a - b),
    Array.from({ length: 28 }, (_, i) => i + 2).filter((id) => id <= 20 || id % 2 === 1));
  assert.equal(Object.keys(EVENTS).length, 11);
});

for (const name of commandNames) {
  const command: CommandSpec = COMMANDS[name];
  test(`${name} (${command.id}): request and replies round-trip`, () => {
    for (let round = 0; round < 5; round++) {
      const seq = Math.floor(rng() * 0xffff_ffff);
      const vcpu = command.scope === 'vcpu' ? Math.floor(rng() * 0xffff) : undefined;
      const request = command.request ? randomValue(command.request, rng) : undefined;
      const message = encodeCommand(name, seq, request as never, vcpu);
      const decoded = decodeCommand(parseMessage(message));
      assert.deepEqual(decoded, { name, id: command.id, seq, vcpu, request });

      const reply = command.reply ? randomValue(command.reply, rng) : undefined;
      const replyFrame = parseMessage(encodeCommandReply(name, seq, { ok: true, reply: reply as never }));
      assert.deepEqual(decodeCommandReply(name, replyFrame, seq), { ok: true, reply });

      const errorFrame = parseMessage(encodeCommandReply(name, seq, { ok: false, err: KVMI_ERR.EINVAL }));
      assert.equal(errorFrame.payload.length, 8);
      assert.deepEqual(decodeCommandReply(name, errorFrame, seq), { ok: false, err: KVMI_ERR.EINVAL });
    }
  });
}

test('an error reply for an id the table does not know carries -KVM_ENOSYS', () => {
  const frame = parseMessage(encodeErrorReply(0xffff, 7, KVMI_ERR.ENOSYS));
  assert.deepEqual(frame.hdr, { id: 0xffff, size: 8, seq: 7 });
  assert.deepEqual([...frame.payload], [0x18, 0xfc, 0xff, 0xff, 0, 0, 0, 0]); // -1000, little-endian s32
});

test('KVMI_VM_EVENT_UNHOOK round-trips as an 8-byte VM event', () => {
  const frame = parseMessage(encodeVmEvent('KVMI_VM_EVENT_UNHOOK', 3));
  assert.deepEqual(frame.hdr, { id: 0, size: 8, seq: 3 });
  assert.deepEqual(decodeEvent(frame), { scope: 'vm', name: 'KVMI_VM_EVENT_UNHOOK', id: 0, seq: 3 });
});

for (const name of vcpuEventNames) {
  const event: EventSpec = EVENTS[name];
  test(`${name} (${event.id}): event and reply round-trip`, () => {
    for (let round = 0; round < 5; round++) {
      const seq = Math.floor(rng() * 0xffff_ffff);
      const { size: _ignored, ...state } = randomValue(KVMI_VCPU_EVENT, rng);
      const payload = event.payload ? randomValue(event.payload, rng) : undefined;
      const bytes = encodeVcpuEvent(name, seq, state, payload as never);
      const frame = parseMessage(bytes);
      assert.equal(frame.hdr.size, 8 + 544 + (event.payload?.size ?? 0));
      assert.deepEqual(decodeEvent(frame), {
        scope: 'vcpu', name, id: event.id, seq, vcpu: state.vcpu, common: { ...state, size: 544 }, payload,
      });

      for (const action of event.actions as KvmiEventAction[]) {
        const reply = event.reply ? randomValue(event.reply, rng) : undefined;
        const replyFrame = parseMessage(encodeEventReply(name, seq, state.vcpu, action, reply as never));
        assert.equal(replyFrame.hdr.size, 16 + (event.reply?.size ?? 0));
        assert.deepEqual(decodeEventReply(name, replyFrame, { seq, vcpu: state.vcpu }),
          { action, event: event.id, vcpu: state.vcpu, reply });
      }
    }
  });
}

test('messages split at every byte boundary come out of the frame reader whole', () => {
  const messages = [
    encodeCommand('KVMI_GET_VERSION', 1, undefined),
    encodeCommand('KVMI_VM_WRITE_PHYSICAL', 2, { gpa: 0x1000n, size: 3, data: Uint8Array.of(1, 2, 3) }),
    encodeEventReply('KVMI_VCPU_EVENT_CR', 3, 0, KVMI_EVENT_ACTION.CONTINUE, { new_val: 5n }),
  ];
  const stream = Uint8Array.from(messages.flatMap((m) => [...m]));
  for (let cut = 0; cut <= stream.length; cut++) {
    const reader = new KvmiFrameReader();
    const frames = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
    assert.deepEqual(frames.map((f) => f.hdr.seq), [1, 2, 3], `cut at ${cut}`);
    assert.equal(reader.pendingBytes, 0);
  }
  const reader = new KvmiFrameReader();
  const oneByOne = [...stream].flatMap((b) => reader.push(Uint8Array.of(b)));
  assert.deepEqual(oneByOne.map((f) => f.payload.length), messages.map((m) => m.length - 8));
});
