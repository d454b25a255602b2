// A small fuzz of every decoder: random byte strings, truncations and single-byte mutations of valid
// messages. Each input either decodes or raises KvmiDecodeError; nothing else may escape, and the
// frame reader must consume every stream (no input may leave it stuck on an incomplete message it
// has in fact received).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMANDS, EVENTS, KVMI_EVENT_ACTION, KvmiDecodeError, KvmiFrameReader, KVMI_VCPU_EVENT, decodeCommand,
  decodeCommandReply, decodeEvent, decodeEventReply, decodeIntrospectorToQemu, decodeQemuToIntrospector,
  encodeCommand, encodeCommandReply, encodeEventReply, encodeVcpuEvent, type CommandName, type CommandSpec,
  type EventName, type EventSpec, type KvmiFrame,
} from '../../../src/vmm/kvmi';
import { randomValue, seededRandom } from './randomValues';

const rng = seededRandom(0xf022);
const commandNames = Object.keys(COMMANDS) as CommandName[];
const vcpuEvents = (Object.keys(EVENTS) as EventName[]).filter((n) => n !== 'KVMI_VM_EVENT_UNHOOK') as Exclude<EventName, 'KVMI_VM_EVENT_UNHOOK'>[];

function onlyTypedErrors(what: string, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KvmiDecodeError, `${what}: ${String(e)}`);
  }
}

function allDecoders(frame: KvmiFrame, label: string): void {
  onlyTypedErrors(`${label} decodeCommand`, () => decodeCommand(frame));
  onlyTypedErrors(`${label} decodeEvent`, () => decodeEvent(frame));
  for (const name of commandNames) onlyTypedErrors(`${label} reply ${name}`, () => decodeCommandReply(name, frame));
  for (const name of vcpuEvents) onlyTypedErrors(`${label} event reply ${name}`, () => decodeEventReply(name, frame, { seq: frame.hdr.seq, vcpu: 0 }));
}

function validMessages(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const name of commandNames) {
    const spec: CommandSpec = COMMANDS[name];
    const request = spec.request ? randomValue(spec.request, rng, 3) : undefined;
    out.push(encodeCommand(name, 1, request as never, spec.scope === 'vcpu' ? 0 : undefined));
    const reply = spec.reply ? randomValue(spec.reply, rng, 3) : undefined;
    out.push(encodeCommandReply(name, 1, { ok: true, reply: reply as never }));
  }
  for (const name of vcpuEvents) {
    const spec: EventSpec = EVENTS[name];
    const { size: _size, ...state } = randomValue(KVMI_VCPU_EVENT, rng);
    out.push(encodeVcpuEvent(name, 1, { ...state, vcpu: 0 }, (spec.payload ? randomValue(spec.payload, rng) : undefined) as never));
    out.push(encodeEventReply(name, 1, 0, KVMI_EVENT_ACTION.CONTINUE, (spec.reply ? randomValue(spec.reply, rng) : undefined) as never));
  }
  return out;
}

test('random byte streams only ever produce frames or a typed error', () => {
  let frames = 0;
  const ids = [0, 1, ...commandNames.map((n) => COMMANDS[n].id), 0xffff];
  for (let i = 0; i < 400; i++) {
    const body = Uint8Array.from({ length: Math.floor(rng() * (rng() < 0.3 ? 700 : 40)) }, () => (rng() < 0.7 ? 0 : Math.floor(rng() * 256)));
    const bytes = new Uint8Array(8 + body.length);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, rng() < 0.8 ? ids[Math.floor(rng() * ids.length)] : Math.floor(rng() * 0x10000), true);
    view.setUint16(2, rng() < 0.8 ? body.length : Math.floor(rng() * 0x10000), true);
    view.setUint32(4, Math.floor(rng() * 0x1_0000_0000), true);
    bytes.set(body, 8);
    const reader = new KvmiFrameReader();
    onlyTypedErrors('reader', () => {
      for (const frame of reader.push(bytes)) { frames++; allDecoders(frame, `random #${i}`); }
    });
    onlyTypedErrors('handshake', () => decodeQemuToIntrospector(bytes));
    onlyTypedErrors('handshake answer', () => decodeIntrospectorToQemu(bytes));
  }
  assert.ok(frames > 200, `only ${frames} random frames reached the decoders`);
});

test('truncated and mutated valid messages only ever decode or raise the typed error', () => {
  for (const message of validMessages()) {
    for (let cut = 8; cut < message.length; cut += Math.max(1, Math.floor(message.length / 23))) {
      const truncated = message.slice(0, cut);
      new DataView(truncated.buffer).setUint16(2, cut - 8, true); // header agrees with the shorter body
      const [frame] = new KvmiFrameReader().push(truncated);
      allDecoders(frame, `cut ${cut}`);
    }
    for (let m = 0; m < 20; m++) {
      const mutated = message.slice();
      mutated[8 + Math.floor(rng() * (mutated.length - 8))] ^= 1 << Math.floor(rng() * 8);
      const [frame] = new KvmiFrameReader().push(mutated);
      allDecoders(frame, 'mutation');
    }
  }
});

test('a stream cut short leaves the reader waiting, and completing it yields the message', () => {
  const message = encodeCommand('KVMI_VM_GET_INFO', 5, undefined);
  const reader = new KvmiFrameReader();
  assert.deepEqual(reader.push(message.subarray(0, 5)), []);
  assert.equal(reader.pendingBytes, 5);
  assert.equal(reader.push(message.subarray(5))[0].hdr.seq, 5);
});
