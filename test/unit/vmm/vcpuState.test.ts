// The vCPU state machine's allowed transitions and the KVMI rules for event replies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transition, VcpuStateError } from '../../../src/vmm/engine/vcpuState';
import { replyProblem } from '../../../src/vmm/engine/vcpuEvents';
import { describeStop, exitStatusOf } from '../../../src/vmm/engine/vmStop';

test('documented transitions are allowed, others are refused with both states named', () => {
  assert.equal(transition('running', 'waitingForReply'), 'waitingForReply');
  assert.equal(transition('waitingForReply', 'paused'), 'paused');
  assert.throws(() => transition('paused', 'waitingForReply'), (e: unknown) => e instanceof VcpuStateError && e.message === 'vCPU cannot go from paused to waitingForReply');
  assert.throws(() => transition('stopped', 'running'), VcpuStateError);
});

test('RETRY is accepted only by pf, breakpoint and descriptor events', () => {
  assert.equal(replyProblem('pf', 'retry'), undefined);
  assert.equal(replyProblem('descriptor', 'retry'), undefined);
  assert.equal(replyProblem('hypercall', 'retry'), 'a hypercall event accepts CONTINUE or CRASH, not RETRY');
  assert.equal(replyProblem('singlestep', 'crash'), undefined);
});

test('CONTINUE on cr and msr events must carry the new value', () => {
  assert.match(replyProblem('cr', 'continue') ?? '', /needs newValue/);
  assert.equal(replyProblem('msr', 'continue', { newValue: 5n }), undefined);
});

test('stop reasons map to one-line messages with RIP and to process exit statuses', () => {
  assert.equal(describeStop({ kind: 'shutdown', reason: 'triple fault', rip: 0x1234n }), 'guest shut down: triple fault at rip 0x1234');
  assert.equal(exitStatusOf({ kind: 'exitPort', status: 3 }), 3);
  assert.equal(exitStatusOf({ kind: 'exitPort', status: 0x1234 }), 255);
  assert.notEqual(exitStatusOf({ kind: 'reset' }), 0);
});
