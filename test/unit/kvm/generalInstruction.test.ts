// Which faulting instructions the KVM engine's hybrid step may run with only the general registers
// moved (src/vmm/kvm/generalInstruction.ts): integer loads, stores and read-modify-writes qualify;
// anything that touches x87/SSE/AVX state, segment registers, MSRs, or branches does not, and a
// qualifying instruction reports its exact length (the step checks RIP against it afterwards).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generalInstructionLength } from '../../../src/vmm/kvm/generalInstruction';

const bytes = (...b: number[]) => Uint8Array.from([...b, ...new Array(15 - b.length).fill(0x90)]);

test('integer stores and read-modify-writes are general, with their length', () => {
  assert.equal(generalInstructionLength(bytes(0x88, 0x07), 8), 2, 'mov [rdi], al');
  assert.equal(generalInstructionLength(bytes(0x48, 0x89, 0x07), 8), 3, 'mov [rdi], rax');
  assert.equal(generalInstructionLength(bytes(0xc7, 0x47, 0x08, 1, 2, 3, 4), 8), 7, 'mov dword [rdi+8], imm32');
  assert.equal(generalInstructionLength(bytes(0xf0, 0x48, 0x0f, 0xb1, 0x0f), 8), 5, 'lock cmpxchg [rdi], rcx');
  assert.equal(generalInstructionLength(bytes(0xff, 0x37), 8), 2, 'push qword [rdi]');
  assert.equal(generalInstructionLength(bytes(0x8f, 0x07), 8), 2, 'pop qword [rdi]');
  assert.equal(generalInstructionLength(bytes(0xf3, 0xaa), 8), 2, 'rep stosb');
  assert.equal(generalInstructionLength(bytes(0x40), 4), 1, 'inc eax in 32-bit code');
});

test('instructions touching other state, or branching, are not general', () => {
  assert.equal(generalInstructionLength(bytes(0x0f, 0x29, 0x07), 8), undefined, 'movaps [rdi], xmm0 (SSE)');
  assert.equal(generalInstructionLength(bytes(0xc5, 0xf8, 0x29, 0x07), 8), undefined, 'vmovaps (VEX)');
  assert.equal(generalInstructionLength(bytes(0xdd, 0x1f), 8), undefined, 'fstp qword [rdi] (x87)');
  assert.equal(generalInstructionLength(bytes(0x8e, 0xd8), 8), undefined, 'mov ds, ax');
  assert.equal(generalInstructionLength(bytes(0x0f, 0x05), 8), undefined, 'syscall (MSRs)');
  assert.equal(generalInstructionLength(bytes(0x0f, 0x01, 0xf9), 8), undefined, 'rdtscp (TSC_AUX)');
  assert.equal(generalInstructionLength(bytes(0xff, 0x17), 8), undefined, 'call [rdi]');
  assert.equal(generalInstructionLength(bytes(0xc3), 8), undefined, 'ret');
  assert.equal(generalInstructionLength(bytes(0xcd, 0x80), 8), undefined, 'int 0x80');
  assert.equal(generalInstructionLength(bytes(0x0f, 0xc7, 0x37), 8), undefined, '0F C7 /6 (rdrand) is not CMPXCHG8B');
});

test('a second REX byte or truncated bytes are not general', () => {
  assert.equal(generalInstructionLength(bytes(0x48, 0x48, 0x89, 0x07), 8), undefined);
  assert.equal(generalInstructionLength(Uint8Array.from([0x48]), 8), undefined);
  assert.equal(generalInstructionLength(Uint8Array.from([0x48, 0x89]), 8), undefined, 'ModRM byte missing');
});
