// Byte-exactness of the KVMI codec against a C compiler. A probe built from test/c/kvmi_structs.h (the
// structs as the KVMI reference declares them, kvm_* from <linux/kvm.h>) prints sizeof/offsetof of every
// struct and field, which must equal the TypeScript layout table; then sample messages of every kind
// cross over both ways: TS encodes and C reads every field, C encodes and TS must produce the same
// bytes and decode the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_LAYOUTS, COMMANDS, EVENTS, KVMI_MSG, decodeStruct, encodeStruct, parseMessage, decodeCommand, decodeCommandReply,
  decodeEvent, decodeEventReply, decodeIntrospectorToQemu, decodeQemuToIntrospector, encodeCommand, encodeCommandReply,
  encodeEventReply, encodeIntrospectorToQemu, encodeQemuToIntrospector, encodeVcpuEvent, encodeVmEvent,
  type CommandName, type CommandSpec, type EventName, type EventSpec, type KvmiEventAction, type StructLayout,
} from '../../../src/vmm/kvmi';
import * as L from '../../../src/vmm/kvmi/layouts';
import { probedLayouts } from '../../c/probeTables';
import { cProbe } from './cProbe';
import { allLeaves, randomValue, seededRandom } from './randomValues';

interface CField { offset: number; size: number; elemSize: number; signed: number }
interface CStruct { size: number; align: number; fields: Map<string, CField>; tail?: { path: string; offset: number; elemSize: number } }

function parseLayout(lines: string[]): Map<string, CStruct> {
  const structs = new Map<string, CStruct>();
  for (const line of lines) {
    const [kind, name, ...rest] = line.split(' ');
    if (kind === 'struct') structs.set(name, { size: Number(rest[0]), align: Number(rest[1]), fields: new Map() });
    else if (kind === 'field') {
      const [path, offset, size, elemSize, signed] = rest;
      structs.get(name)!.fields.set(path, { offset: Number(offset), size: Number(size), elemSize: Number(elemSize), signed: Number(signed) });
    } else if (kind === 'tail') structs.get(name)!.tail = { path: rest[0], offset: Number(rest[1]), elemSize: Number(rest[2]) };
    else assert.fail(`unexpected probe output: ${line}`);
  }
  return structs;
}

test('every struct and field sits where the C compiler puts it', (t) => {
  const probe = cProbe();
  if (!probe.available) return t.skip(probe.reason);
  const c = parseLayout(probe.run(['layout'])[0]);
  let structs = 0;
  let fields = 0;
  const compare = (top: StructLayout, layout: StructLayout, prefix: string, base: number) => {
    const cStruct = c.get(top.name)!;
    let next = base;
    for (const f of layout.fields) {
      const path = prefix + f.name;
      const cf = cStruct.fields.get(path);
      assert.ok(cf, `${top.name}.${path} missing from the C output`);
      assert.equal(cf.offset, base + f.offset, `${top.name}.${path} offset`);
      assert.equal(cf.size, f.type.size, `${top.name}.${path} size`);
      assert.equal(cf.offset, next, `${top.name}.${path}: C has a member TS does not know before it`);
      next = cf.offset + cf.size;
      if (f.type.kind === 'scalar') {
        assert.equal(cf.elemSize, f.type.size, `${top.name}.${path} type width`);
        assert.equal(cf.signed, f.type.scalar.startsWith('s') ? 1 : 0, `${top.name}.${path} signedness`);
      } else if (f.type.kind === 'array') {
        assert.equal(cf.elemSize, f.type.size / f.type.length, `${top.name}.${path} element width`);
        if (f.type.elem !== 'u8') assert.equal(cf.signed, f.type.elem.startsWith('s') ? 1 : 0, `${top.name}.${path} element signedness`);
      } else {
        compare(top, f.type, `${path}.`, base + f.offset);
      }
      fields++;
    }
    assert.equal(next - base, layout.size, `${top.name}${prefix ? `.${prefix.slice(0, -1)}` : ''}: C has members after the last TS field`);
  };
  for (const layout of probedLayouts(ALL_LAYOUTS)) {
    const cStruct = c.get(layout.name);
    assert.ok(cStruct, `struct ${layout.name} missing from the C output`);
    assert.equal(cStruct.size, layout.size, `sizeof(struct ${layout.name})`);
    assert.equal(cStruct.align, layout.align, `_Alignof(struct ${layout.name})`);
    compare(layout, layout, '', 0);
    if (layout.tail) {
      assert.equal(cStruct.tail?.offset, layout.tail.offset, `${layout.name}.${layout.tail.cPath} offset`);
      assert.equal(cStruct.tail?.elemSize, layout.tail.elem.size, `${layout.name}.${layout.tail.cPath} element size`);
      fields++;
    }
    structs++;
  }
  assert.equal(structs, ALL_LAYOUTS.length - 2, 'all but the two anonymous layouts are compared');
  t.diagnostic(`compared ${structs} structs and ${fields} fields (nested members included) with the C compiler`);
  console.log(`C layout comparison: ${structs} structs, ${fields} fields`);
});

interface Part { layout: StructLayout; value: unknown }
interface Sample { label: string; bytes: Uint8Array; parts: Part[]; decode(bytes: Uint8Array): unknown; expected: unknown }

const hdr = (bytes: Uint8Array): Part => {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return { layout: L.KVMI_MSG_HDR, value: { id: view.getUint16(0, true), size: view.getUint16(2, true), seq: view.getUint32(4, true) } };
};

function samples(seed: number): Sample[] {
  const rng = seededRandom(seed);
  const seq = () => Math.floor(rng() * 0xffff_ffff);
  const out: Sample[] = [];
  for (const name of Object.keys(COMMANDS) as CommandName[]) {
    const spec: CommandSpec = COMMANDS[name];
    const s = seq();
    const vcpu = spec.scope === 'vcpu' ? Math.floor(rng() * 0xffff) : undefined;
    const request = spec.request ? randomValue(spec.request, rng, 3) : undefined;
    const bytes = encodeCommand(name, s, request as never, vcpu);
    out.push({
      label: `${name} request`, bytes,
      parts: [hdr(bytes), ...(vcpu === undefined ? [] : [{ layout: L.KVMI_VCPU_HDR, value: { vcpu } }]), ...(spec.request ? [{ layout: spec.request, value: request }] : [])],
      decode: (b) => decodeCommand(parseMessage(b)), expected: { name, id: spec.id, seq: s, vcpu, request },
    });
    if (spec.reply?.anonymous) continue; // READ_PHYSICAL: raw bytes, no C struct to compare with
    const reply = spec.reply ? randomValue(spec.reply, rng, 3) : undefined;
    const replyBytes = encodeCommandReply(name, s, { ok: true, reply: reply as never });
    out.push({
      label: `${name} reply`, bytes: replyBytes,
      parts: [hdr(replyBytes), { layout: L.KVMI_ERROR_CODE, value: { err: 0 } }, ...(spec.reply ? [{ layout: spec.reply, value: reply }] : [])],
      decode: (b) => decodeCommandReply(name, parseMessage(b)), expected: { ok: true, reply },
    });
  }
  const errBytes = encodeCommandReply('KVMI_VM_CHECK_EVENT', 9, { ok: false, err: -2 });
  out.push({ label: 'error reply', bytes: errBytes, parts: [hdr(errBytes), { layout: L.KVMI_ERROR_CODE, value: { err: -2 } }],
    decode: (b) => decodeCommandReply('KVMI_VM_CHECK_EVENT', parseMessage(b)), expected: { ok: false, err: -2 } });
  const unhook = encodeVmEvent('KVMI_VM_EVENT_UNHOOK', 1);
  out.push({ label: 'UNHOOK event', bytes: unhook, parts: [hdr(unhook), { layout: L.KVMI_EVENT_HDR, value: { event: 0 } }],
    decode: (b) => decodeEvent(parseMessage(b)), expected: { scope: 'vm', name: 'KVMI_VM_EVENT_UNHOOK', id: 0, seq: 1 } });
  for (const name of Object.keys(EVENTS).filter((n) => n !== 'KVMI_VM_EVENT_UNHOOK') as Exclude<EventName, 'KVMI_VM_EVENT_UNHOOK'>[]) {
    const spec: EventSpec = EVENTS[name];
    const s = seq();
    const common = { ...randomValue(L.KVMI_VCPU_EVENT, rng), size: 544 };
    const payload = spec.payload ? randomValue(spec.payload, rng) : undefined;
    const bytes = encodeVcpuEvent(name, s, common, payload as never);
    out.push({
      label: `${name} event`, bytes,
      parts: [hdr(bytes), { layout: L.KVMI_EVENT_HDR, value: { event: spec.id } }, { layout: L.KVMI_VCPU_EVENT, value: common },
        ...(spec.payload ? [{ layout: spec.payload, value: payload }] : [])],
      decode: (b) => decodeEvent(parseMessage(b)),
      expected: { scope: 'vcpu', name, id: spec.id, seq: s, vcpu: common.vcpu, common, payload },
    });
    const action = spec.actions[Math.floor(rng() * spec.actions.length)] as KvmiEventAction;
    const reply = spec.reply ? randomValue(spec.reply, rng) : undefined;
    const replyBytes = encodeEventReply(name, s, common.vcpu, action, reply as never);
    out.push({
      label: `${name} reply`, bytes: replyBytes,
      parts: [hdr(replyBytes), { layout: L.KVMI_VCPU_HDR, value: { vcpu: common.vcpu } }, { layout: L.KVMI_VCPU_EVENT_REPLY, value: { action, event: spec.id } },
        ...(spec.reply ? [{ layout: spec.reply, value: reply }] : [])],
      decode: (b) => decodeEventReply(name, parseMessage(b), { seq: s, vcpu: common.vcpu }),
      expected: { action, event: spec.id, vcpu: common.vcpu, reply },
    });
  }
  const hello = { ...randomValue(L.QEMU_VMI_TO_INTROSPECTOR, rng), struct_size: 104 };
  const { struct_size: _s1, ...helloValue } = hello;
  out.push({ label: 'qemu_vmi_to_introspector', bytes: encodeQemuToIntrospector(helloValue), parts: [{ layout: L.QEMU_VMI_TO_INTROSPECTOR, value: hello }],
    decode: decodeQemuToIntrospector, expected: helloValue });
  const answer = { ...randomValue(L.QEMU_VMI_FROM_INTROSPECTOR, rng), struct_size: 24 };
  const { struct_size: _s2, ...answerValue } = answer;
  out.push({ label: 'qemu_vmi_from_introspector', bytes: encodeIntrospectorToQemu(answerValue), parts: [{ layout: L.QEMU_VMI_FROM_INTROSPECTOR, value: answer }],
    decode: decodeIntrospectorToQemu, expected: answerValue });
  for (const layout of [L.KVM_INTROSPECTION_HOOK, L.KVM_INTROSPECTION_FEATURE] as StructLayout[]) {
    const value = randomValue(layout, rng);
    out.push({ label: layout.name, bytes: encodeStruct(layout, value), parts: [{ layout, value }],
      decode: (b) => decodeStruct(layout, b), expected: value });
  }
  return out;
}

const names = (parts: Part[]) => `${parts.length} ${parts.map((p) => p.layout.name).join(' ')}`;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('messages encoded in TypeScript read back field by field in C', (t) => {
  const probe = cProbe();
  if (!probe.available) return t.skip(probe.reason);
  const all = [1, 2, 3].flatMap(samples);
  const answers = probe.run(all.map((s) => `decode ${names(s.parts)} ${hex(s.bytes)}`));
  let leaves = 0;
  all.forEach((sample, i) => {
    assert.deepEqual(Buffer.concat(sample.parts.map((p) => encodeStruct(p.layout, p.value))), Buffer.from(sample.bytes), `${sample.label}: parts`);
    const expected = sample.parts.flatMap((p) => allLeaves(p.layout, p.value).map((l) => `${p.layout.name} ${l.path} ${l.value}`));
    assert.deepEqual(answers[i], [...expected, `consumed ${sample.bytes.length}`], sample.label);
    leaves += expected.length;
  });
  assert.ok(all.length >= 3 * 50);
  t.diagnostic(`${all.length} messages, ${leaves} field values read back by C`);
  console.log(`TS -> C: ${all.length} messages, ${leaves} field values`);
});

test('messages encoded in C are byte-identical to TypeScript\'s and decode to the same values', (t) => {
  const probe = cProbe();
  if (!probe.available) return t.skip(probe.reason);
  const all = [4, 5, 6].flatMap(samples);
  const values = (s: Sample) => s.parts.flatMap((p) => allLeaves(p.layout, p.value).filter((l) => !l.pad).map((l) => l.value.toString()));
  const answers = probe.run(all.map((s) => `encode ${names(s.parts)} ${values(s).join(' ')}`));
  all.forEach((sample, i) => {
    assert.equal(answers[i].length, 1, `${sample.label}: ${answers[i].join('; ')}`);
    const cBytes = Uint8Array.from(Buffer.from(answers[i][0].replace(/^hex /, ''), 'hex'));
    assert.equal(hex(cBytes), hex(sample.bytes), `${sample.label}: bytes`);
    assert.deepEqual(sample.decode(cBytes), sample.expected, `${sample.label}: decoded`);
  });
  t.diagnostic(`${all.length} C-encoded messages matched`);
  console.log(`C -> TS: ${all.length} messages`);
});

test('the C samples cover every message id', () => {
  const ids = new Set(samples(7).map((s) => (s.parts[0].layout === L.KVMI_MSG_HDR ? (s.parts[0].value as { id: number }).id : -1)));
  for (const id of Object.values(KVMI_MSG)) assert.ok(ids.has(id), `message id ${id}`);
});
