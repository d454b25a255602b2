// The KVMI event message the VMM sends for an engine event (src/vmm/introspection/engineEvents.ts):
// where the event carries its state as the kvmi_vcpu_event_arch bytes the vCPU thread wrote
// (eventArchCodec.ts), those bytes go out unchanged, and the message is the same, byte for byte, as
// the one encoded from the decoded state; a tool decodes every field back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEventArch } from '../../../src/vmm/engine/eventArchCodec';
import { VcpuEvent, VcpuEventArch } from '../../../src/vmm/engine/vcpuEvents';
import { encodeEngineEvent } from '../../../src/vmm/introspection/engineEvents';
import { decodeEvent, KVMI_MSG, parseMessage } from '../../../src/vmm/kvmi';
import { emptyRegs, emptySregs } from '../../../src/vmm/x86/kvmState';

function arch(): VcpuEventArch {
  return {
    mode: 8,
    regs: { ...emptyRegs(), rip: 0xffff_ffff_8100_1234n, rsp: 0x7fff_f000n, rflags: 0x246n, r15: 2n ** 64n - 1n },
    sregs: { ...emptySregs(), cr0: 0x8005_0033n, cr3: 0x1000n, cr4: 0x6a0n, efer: 0xd01n, interrupt_bitmap: [1n, 0n, 0n, 1n << 63n] },
    msrs: { sysenter_cs: 0x10n, sysenter_esp: 0n, sysenter_eip: 0n, efer: 0xd01n, star: 0n, lstar: 0xffff_ffff_8100_0000n, cstar: 0n, pat: 0x0007040600070406n, shadow_gs: 7n },
  };
}

function pfEvent(withBytes: boolean): VcpuEvent {
  const state = arch();
  return {
    kind: 'pf', gva: 0x40_1000n, gpa: 0x20_1000n, access: 2, vcpu: 1, seq: 9, arch: state,
    ...(withBytes ? { archBytes: encodeEventArch(state) } : {}),
    reply: () => {},
  };
}

test('an event with its state bytes is sent as they are: the same message as from the decoded state', () => {
  const fromBytes = encodeEngineEvent(pfEvent(true), 5);
  const fromValue = encodeEngineEvent(pfEvent(false), 5);
  assert.deepEqual(fromBytes, fromValue);
  const frame = parseMessage(fromBytes);
  assert.equal(frame.hdr.id, KVMI_MSG.KVMI_VCPU_EVENT);
  const decoded = decodeEvent(frame);
  assert.equal(decoded.scope, 'vcpu');
  if (decoded.scope !== 'vcpu') return;
  assert.equal(decoded.vcpu, 1);
  assert.deepEqual(decoded.common.arch, arch());
  assert.deepEqual(decoded.payload, { gva: 0x40_1000n, gpa: 0x20_1000n, access: 2 });
});
