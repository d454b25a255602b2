// kvmAbi.ts against the system's <linux/kvm.h>: a C program generated from the TypeScript tables
// prints every ioctl number, capability and exit number, every struct size and every field offset
// as the C compiler sees them; each must equal the TypeScript value. Also round-trips the
// kvm_regs/kvm_sregs codecs. Skips visibly without `cc` or the kernel headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIELD_OFFSET, KVM_CAP, KVM_EXIT, KVM_IOCTL, KVM_RUN_OFFSET, KVM_SYNC_X86, SIZEOF } from '../../../src/vmm/kvm/kvmAbi';
import { decodeRegs, decodeSregs, encodeRegs, encodeSregs, encodeMsrs, decodeMsrs } from '../../../src/vmm/kvm/kvmStructs';
import { emptyRegs, emptySregs } from '../../../src/vmm/x86/kvmState';

const outDir = join(__dirname, '..', '..', '.artifacts', 'kvm-abi');

/** C expression for every TypeScript value, keyed by the same name. */
function cExpressions(): Map<string, { c: string; ts: number }> {
  const m = new Map<string, { c: string; ts: number }>();
  for (const [k, v] of Object.entries(KVM_IOCTL)) m.set(k, { c: `(unsigned long)${k}`, ts: v });
  for (const [k, v] of Object.entries(KVM_CAP)) m.set(k, { c: k, ts: v });
  for (const [k, v] of Object.entries(KVM_SYNC_X86)) m.set(`KVM_SYNC_X86_${k}`, { c: `KVM_SYNC_X86_${k}`, ts: v });
  for (const [k, v] of Object.entries(KVM_EXIT)) m.set(`KVM_EXIT_${k}`, { c: `KVM_EXIT_${k}`, ts: v });
  for (const [k, v] of Object.entries(SIZEOF)) if (k !== 'u64') m.set(`sizeof ${k}`, { c: `sizeof(struct ${k})`, ts: v });
  for (const [struct, fields] of Object.entries(FIELD_OFFSET)) {
    for (const [field, off] of Object.entries(fields)) m.set(`offsetof ${struct}.${field}`, { c: `offsetof(struct ${struct}, ${field})`, ts: off });
  }
  const run: Record<string, string> = {
    request_interrupt_window: 'request_interrupt_window', immediate_exit: 'immediate_exit', exit_reason: 'exit_reason',
    ready_for_interrupt_injection: 'ready_for_interrupt_injection', if_flag: 'if_flag', flags: 'flags', cr8: 'cr8', apic_base: 'apic_base',
    io_direction: 'io.direction', io_size: 'io.size', io_port: 'io.port', io_count: 'io.count', io_data_offset: 'io.data_offset',
    mmio_phys_addr: 'mmio.phys_addr', mmio_data: 'mmio.data', mmio_len: 'mmio.len', mmio_is_write: 'mmio.is_write',
    internal_suberror: 'internal.suberror', internal_ndata: 'internal.ndata', internal_data: 'internal.data',
    fail_entry_hardware_entry_failure_reason: 'fail_entry.hardware_entry_failure_reason', fail_entry_cpu: 'fail_entry.cpu',
    system_event_type: 'system_event.type',
    kvm_valid_regs: 'kvm_valid_regs', kvm_dirty_regs: 'kvm_dirty_regs', sync_regs: 's.regs.regs', sync_sregs: 's.regs.sregs',
  };
  for (const [k, v] of Object.entries(KVM_RUN_OFFSET)) m.set(`offsetof kvm_run.${k}`, { c: `offsetof(struct kvm_run, ${run[k]})`, ts: v });
  return m;
}

function compileAndRun(exprs: Map<string, { c: string }>): { skip: string } | { values: Map<string, number> } {
  if (spawnSync('cc', ['--version']).status !== 0) return { skip: 'no C compiler: `cc` is not on PATH' };
  if (!existsSync('/usr/include/linux/kvm.h')) return { skip: '<linux/kvm.h> is not installed (linux-libc-dev)' };
  mkdirSync(outDir, { recursive: true });
  const lines = [...exprs].map(([name, e]) => `\tprintf("%s=%llu\\n", ${JSON.stringify(name)}, (unsigned long long)(${e.c}));`);
  const src = join(outDir, 'kvm_abi_probe.c');
  const bin = join(outDir, 'kvm_abi_probe');
  writeFileSync(src, `#include <stddef.h>\n#include <stdio.h>\n#include <linux/kvm.h>\nint main(void)\n{\n${lines.join('\n')}\n\treturn 0;\n}\n`);
  const cc = spawnSync('cc', ['-std=gnu11', '-Wall', '-Werror', '-o', bin, src], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`the KVM ABI probe does not compile:\n${cc.stderr}`);
  const run = spawnSync(bin, [], { encoding: 'utf8' });
  const values = new Map<string, number>();
  for (const line of run.stdout.trim().split('\n')) {
    const at = line.lastIndexOf('=');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { values };
}

test('every ioctl number, constant, size and offset equals <linux/kvm.h>', (t) => {
  const exprs = cExpressions();
  const result = compileAndRun(exprs);
  if ('skip' in result) { t.skip(result.skip); return; }
  const mismatches = [...exprs].filter(([name, e]) => result.values.get(name) !== e.ts)
    .map(([name, e]) => `${name}: TypeScript ${e.ts}, C ${result.values.get(name)}`);
  assert.deepEqual(mismatches, []);
  assert.equal(result.values.size, exprs.size);
});

test('kvm_regs and kvm_sregs survive an encode/decode round trip, with fields at their C offsets', () => {
  const regs = emptyRegs();
  regs.rax = 0x1122334455667788n; regs.r15 = 0xffffffffffffffffn; regs.rip = 0x100000n; regs.rflags = 0x202n;
  const bytes = encodeRegs(regs);
  assert.equal(bytes.length, SIZEOF.kvm_regs);
  assert.equal(new DataView(bytes.buffer).getBigUint64(FIELD_OFFSET.kvm_regs.rip, true), 0x100000n);
  assert.deepEqual(decodeRegs(bytes), regs);

  const sregs = emptySregs();
  sregs.cs = { base: 0n, limit: 0xffffffff, selector: 0x8, type: 11, present: 1, dpl: 0, db: 0, s: 1, l: 1, g: 1, avl: 0, unusable: 0 };
  sregs.tr.selector = 0x28; sregs.gdt = { base: 0x500n, limit: 0x37 }; sregs.cr0 = 0x80000011n; sregs.efer = 0x500n;
  sregs.interrupt_bitmap = [1n, 0n, 0n, 1n << 63n];
  const sb = encodeSregs(sregs);
  assert.equal(sb.length, SIZEOF.kvm_sregs);
  assert.equal(new DataView(sb.buffer).getUint16(FIELD_OFFSET.kvm_sregs.tr + FIELD_OFFSET.kvm_segment.selector, true), 0x28);
  assert.deepEqual(decodeSregs(sb), sregs);
});

test('kvm_msrs entries keep index and 64-bit data', () => {
  const entries = [{ index: 0xc0000080, data: 0x500n }, { index: 0x174, data: 0xffffffffffffffffn }];
  assert.deepEqual(decodeMsrs(encodeMsrs(entries), 2), entries);
});
