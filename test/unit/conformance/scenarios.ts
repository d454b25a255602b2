// The KVMI semantics scenarios every engine must run alike (kvmi-protocol.md section 5, page access
// and the PF event; section 4.2, event replies). Ring-0 scenarios use the pf-* guests; ring-3 ones
// use user-mode-ud2, either its own ring-3 loop or a program from ring3Program.ts written over it.
import { PAGE_ACCESS_ALL, PAGE_ACCESS_R, PAGE_ACCESS_W, PAGE_ACCESS_X } from '../../../src/vmm/engine/engine';
import { VcpuEvent } from '../../../src/vmm/engine/vcpuEvents';
import { Ring3Program } from './ring3Program';
import { Scenario, ScenarioContext, Symbols } from './scenarioRunner';

const PAGE = 4096n;
const noWrite = PAGE_ACCESS_ALL & ~PAGE_ACCESS_W;
const noRead = PAGE_ACCESS_ALL & ~PAGE_ACCESS_R;
const noExecute = PAGE_ACCESS_ALL & ~PAGE_ACCESS_X;

const continueAll = (e: VcpuEvent) => e.reply('continue');
/** CONTINUE; after `n` events lift the watch (long loops need not raise thousands of events). */
const continueThenLift = (n: number) => (e: VcpuEvent, i: number, ctx: ScenarioContext) => {
  if (i + 1 >= n) ctx.lift();
  e.reply('continue');
};
/** The KVMI selftest's PF step: lift the restriction, then RETRY (the access runs once, no new event). */
const liftAndRetry = (e: VcpuEvent, _i: number, ctx: ScenarioContext) => { ctx.lift(); e.reply('retry'); };
const crash = (e: VcpuEvent) => e.reply('crash');

const page = (name: string) => (sym: Symbols) => [{ gpa: sym(name), length: 4096 }];
const testPage = page('test_page');
const userPage = page('user_data_page');

/** user-mode-ud2 with `program` written over its ring-3 function. */
function ring3(name: string, program: (sym: Symbols) => Ring3Program, rest: Omit<Scenario, 'name' | 'guest' | 'ring' | 'patches'>, extra?: (sym: Symbols) => { gpa: bigint; bytes: number[] }[]): Scenario {
  return {
    name, guest: 'user-mode-ud2', ring: 3, ...rest,
    patches: (sym) => [{ gpa: sym('user_task'), bytes: program(sym).bytes }, ...(extra?.(sym) ?? [])],
  };
}

/** A store of 4 bytes at the end of the page before user_data_page, 2 of them landing on it; then a load across its end. */
const crossingProgram = (sym: Symbols) => new Ring3Program()
  .movRdi(sym('user_data_page') - 2n).movEax(0x44332211).storeEaxAtRdi()
  .movRdi(sym('user_data_page') + PAGE - 2n).loadEdxFromRdi()
  .movRax(0n).addRaxRdx().ud2();

/** REP STOSB from 8 bytes before user_data_page over its first 24 bytes, then REP MOVSB of 32 bytes out of it. */
const repProgram = (sym: Symbols) => new Ring3Program()
  .movRdi(sym('user_data_page') - 8n).movEcx(32).movAl(0x77).repStosb()
  .movRsi(sym('user_data_page')).movRdi(sym('user_data_page') - 0x100n).movEcx(32).repMovsb()
  .movRdi(sym('user_data_page') - 0x100n).loadEdxFromRdi().movRax(0n).addRaxRdx().ud2();

/** Loads and a read-modify-write on user_data_page. */
const readProgram = (sym: Symbols) => new Ring3Program()
  .movRdi(sym('user_data_page') + 8n).loadEdxFromRdi()
  .movRdi(sym('user_data_page') + 0x800n).movEax(5).addEaxToRdi().loadEdxFromRdi()
  .movRax(0n).addRaxRdx().ud2();

/** Three byte stores; the first is skipped by the tool moving RIP to the second. */
const skipProgram = (sym: Symbols) => new Ring3Program()
  .movRdi(sym('user_data_page'))
  .label('first').storeByte(0, 0x11)
  .label('second').storeByte(1, 0x22).storeByte(2, 0x33)
  .movRax(0x5eedn).ud2();

/**
 * The frame of the image's PVH note (the page before .text): only the loader reads the note, from
 * the ELF file, so the rest of the frame is free for code. Identity-mapped with U set and no NX bit
 * (runtime/pvh_entry.S), and, unlike .bss, not cleared at boot.
 */
const noteFrame = (sym: Symbols) => sym('pvh_start32') - PAGE;
/** Calls a function placed on the note frame. */
const callProgram = (sym: Symbols) => new Ring3Program().movRax(noteFrame(sym) + 0x800n).callRax().ud2();
const calledFunction = (sym: Symbols) => [{ gpa: noteFrame(sym) + 0x800n, bytes: new Ring3Program().movEax(43).movEcx(7).ret().bytes }];

/** CONTINUE, with the proposed value for CR and MSR writes (kvmi-protocol.md 4.2: new_val). */
const continueWithValue = (e: VcpuEvent) => e.reply('continue', e.kind === 'cr' || e.kind === 'msr' ? { newValue: e.newValue } : undefined);
const EVERY_INTERCEPT = { breakpoint: true, hypercall: true, descriptor: true, xsetbv: true, crWrite: new Set([0, 3, 4]), msrWrite: new Set([0x140]) };

/** A breakpoint in ring 3: INT3, then UD2 (reached only if the guest resumes after the #BP). */
const breakpointProgram = () => new Ring3Program().movEax(7).int3().ud2();

export const SCENARIOS: readonly Scenario[] = [
  // Every event kind the selftest guest raises in ring 0 (BREAKPOINT, CR, DESCRIPTOR, HYPERCALL,
  // MSR, PF, XSETBV), all answered CONTINUE; and a breakpoint in ring 3.
  { name: 'selftest guest with every intercept on', guest: 'selftest', ring: 0, watching: 'nothing', intercepts: EVERY_INTERCEPT,
    restrict: (s) => [{ gpa: s('test_page'), access: noWrite }], respond: continueWithValue, compare: testPage },
  ring3('BREAKPOINT event from ring 3, CONTINUE', breakpointProgram, { watching: 'nothing', intercepts: { breakpoint: true },
    restrict: () => [], respond: continueAll, compare: userPage }),
  // The KVMI selftest's PF check (restrict to R, write, RETRY after lifting), in ring 0 and ring 3.
  { name: 'PF selftest: ring-0 write to an R-only page, RETRY after lifting', guest: 'pf-write', ring: 0, watching: 'data',
    restrict: (s) => [{ gpa: s('test_page'), access: PAGE_ACCESS_R }], respond: liftAndRetry, compare: testPage },
  { name: 'PF selftest: ring-3 write to an R-only page, RETRY after lifting', guest: 'user-mode-ud2', ring: 3, watching: 'data',
    restrict: (s) => [{ gpa: s('user_data_page'), access: PAGE_ACCESS_R }], respond: liftAndRetry, compare: userPage },
  // CONTINUE on writes, reads and fetches.
  { name: 'CONTINUE on ring-0 writes', guest: 'pf-write', ring: 0, watching: 'data',
    restrict: (s) => [{ gpa: s('test_page'), access: noWrite }], respond: continueAll, compare: testPage },
  { name: 'CONTINUE on ring-0 reads', guest: 'pf-read', ring: 0, watching: 'data',
    restrict: (s) => [{ gpa: s('test_page'), access: noRead }], respond: continueThenLift(64), compare: testPage },
  { name: 'CONTINUE on ring-0 fetches', guest: 'pf-exec', ring: 0, watching: 'fetch',
    restrict: (s) => [{ gpa: s('test_page'), access: noExecute }], respond: continueAll, compare: testPage },
  { name: 'CONTINUE on ring-3 writes', guest: 'user-mode-ud2', ring: 3, watching: 'data',
    restrict: (s) => [{ gpa: s('user_data_page'), access: noWrite }], respond: continueThenLift(70), compare: userPage },
  ring3('CONTINUE on ring-3 reads and a read-modify-write', readProgram, { watching: 'data',
    restrict: (s) => [{ gpa: s('user_data_page'), access: noRead }], respond: continueAll, compare: userPage }),
  ring3('CONTINUE on ring-3 fetches from an execute-restricted code page', callProgram, { watching: 'fetch',
    restrict: (s) => [{ gpa: noteFrame(s), access: noExecute }], respond: continueAll, compare: (s) => [{ gpa: noteFrame(s), length: 4096 }] }, calledFunction),
  // CRASH.
  { name: 'CRASH on a ring-0 write', guest: 'pf-write', ring: 0, watching: 'data',
    restrict: (s) => [{ gpa: s('test_page'), access: noWrite }], respond: crash, compare: testPage },
  { name: 'CRASH on a ring-3 write', guest: 'user-mode-ud2', ring: 3, watching: 'data',
    restrict: (s) => [{ gpa: s('user_data_page'), access: noWrite }], respond: crash, compare: userPage },
  // Accesses that cross into or out of a restricted page.
  ring3('page-crossing store and load in ring 3', crossingProgram, { watching: 'data',
    restrict: (s) => [{ gpa: s('user_data_page'), access: PAGE_ACCESS_X }], respond: continueAll,
    compare: (s) => [{ gpa: s('user_data_page') - 8n, length: 4096 + 16 }] }),
  ring3('REP STOSB and REP MOVSB over a restricted page in ring 3', repProgram, { watching: 'data',
    restrict: (s) => [{ gpa: s('user_data_page'), access: PAGE_ACCESS_X }], respond: continueAll,
    compare: (s) => [{ gpa: s('user_data_page') - 0x100n, length: 0x100 + 4096 }] }),
  ring3('REP STOSB over a restricted page, RETRY after lifting', repProgram, { watching: 'data',
    restrict: (s) => [{ gpa: s('user_data_page'), access: PAGE_ACCESS_X }], respond: liftAndRetry,
    compare: (s) => [{ gpa: s('user_data_page') - 0x100n, length: 0x100 + 4096 }] }),
  // The tool moves RIP past the faulting store and answers RETRY: the store never happens.
  ring3('RETRY after the tool moved RIP past the faulting store', skipProgram, { watching: 'data',
    restrict: (s) => [{ gpa: s('user_data_page'), access: noWrite }],
    respond: async (e, i, ctx) => {
      if (i === 0) {
        await ctx.vm.vcpus[0].setRegs({ ...e.arch.regs, rip: ctx.sym('user_task') + BigInt(skipProgram(ctx.sym).offsetOf('second')) });
        e.reply('retry');
      } else {
        e.reply('continue');
      }
    },
    compare: userPage }),
];
