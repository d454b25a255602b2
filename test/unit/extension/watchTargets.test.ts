// What the watch commands resolve before any session, against the heap-overflow example guest:
// the memory a source line touches, a symbol and its pointee, a line's code for execute watches,
// and the errors a user sees for lines that touch no fixed memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DebugInfo } from '../../../src/dap/debuginfo';
import { debugInfoFor, targetsForSymbol, targetsOnLine, WatchTargetError } from '../../../src/extension/watch/watchTargets';
import { ensureGuestsBuilt, guestDescription, guestPath, guestsDir, guestToolchainMissing } from '../../support/guests';

function heapOverflow(t: { skip(why: string): void }): DebugInfo | undefined {
  const missing = guestToolchainMissing();
  if (missing) { t.skip(missing); return undefined; }
  ensureGuestsBuilt();
  const path = guestPath('heap-overflow');
  return debugInfoFor(path, statSync(path).mtimeMs);
}

const mainC = join(guestsDir, 'heap-overflow/main.c');

test('line 62 (guard = heap_alloc(...)) writes the 8-byte pointer guard', (t) => {
  const info = heapOverflow(t);
  if (!info) return;
  const guard = info.symbols.lookupName('guard');
  assert.ok(guard);
  assert.deepEqual(targetsOnLine(info, mainC, 62, 'write').map((x) => [x.label, x.address, x.size]), [['guard', guard.value, 8]]);
});

test('line 38 only reads guard: a write watch is refused with the reason, a read watch is offered', (t) => {
  const info = heapOverflow(t);
  if (!info) return;
  assert.throws(() => targetsOnLine(info, mainC, 38, 'write'), (e) => e instanceof WatchTargetError && /writes no global or static variable/.test(e.message));
  assert.deepEqual(targetsOnLine(info, mainC, 38, 'read').map((x) => x.label), ['guard']);
});

test('the overflow line writes through a pointer: no fixed memory, but its code can be watched for execution', (t) => {
  const info = heapOverflow(t);
  if (!info) return;
  const line = guestDescription('heap-overflow').overflow!.line;
  assert.throws(() => targetsOnLine(info, mainC, line, 'write'), WatchTargetError);
  const code = targetsOnLine(info, 'heap-overflow/main.c', line, 'execute');
  assert.ok(code.length >= 1);
  const main = info.symbols.lookupName('copy_message');
  for (const span of code) assert.ok(span.size > 0 && main && span.address >= main.value && span.address < main.value + BigInt(main.size));
});

test('a line without code and an unknown file are refused with the place named', (t) => {
  const info = heapOverflow(t);
  if (!info) return;
  assert.throws(() => targetsOnLine(info, mainC, 21, 'write'), /main\.c:21 has no code/);
  assert.throws(() => targetsOnLine(info, '/elsewhere/nothing.c', 5, 'read'), /nothing\.c:5 has no code/);
});

test('symbol guard is an 8-byte pointer to a 32-byte struct guard_object; heap_arena is 4096 bytes', (t) => {
  const info = heapOverflow(t);
  if (!info) return;
  const [guard] = targetsForSymbol(info, 'guard');
  assert.equal(guard.size, 8);
  assert.deepEqual(guard.pointee, { label: '*guard', size: 32 });
  const [arena] = targetsForSymbol(info, 'heap_arena');
  assert.equal(arena.size, 4096);
  assert.equal(arena.pointee, undefined);
  assert.throws(() => targetsForSymbol(info, 'no_such_thing'), /no variable or symbol named "no_such_thing"/);
});
