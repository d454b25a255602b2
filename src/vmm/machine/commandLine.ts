// Parses the kvmi-vmm command line into a typed request, with one specific error per mistake,
// and holds the --help text. No side effects: cli.ts acts on the result.
import { BootFormat } from '../boot/bootState';
import { BOOT_FORMATS } from '../boot/loadGuest';
import { ENGINE_CHOICES, EngineChoice } from '../engine/selectEngine';

export interface RunRequest {
  command: 'run';
  guest: string;
  engine: EngineChoice;
  memoryMiB: number;
  cpus: number;
  stats: boolean;
  format?: BootFormat;
  debugDevices: boolean;
}

export type CliRequest = RunRequest | { command: 'help' };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const DEFAULT_MEMORY_MIB = 64;
export const MAX_MEMORY_MIB = 3072;
export const MAX_CPUS = 64;

export const HELP_TEXT = `Usage: kvmi-vmm run GUEST [options]
       kvmi-vmm --help

Runs an x86 guest with its first serial port (COM1, 0x3f8) on stdout and stdin, and exits
with the status the guest writes to the exit port 0xf4.

Options:
  --engine emulator|kvm|auto  execution engine (default emulator). kvm: Linux /dev/kvm (needs
                              read-write access to it; where /dev/kvm is PVM, guest kernel code runs
                              in the built-in emulator and ring 3 in KVM). auto: kvm where /dev/kvm
                              is usable, else the emulator; prints which engine it chose and why.
  --mem MIB                   guest RAM in MiB, 1-${MAX_MEMORY_MIB} (default ${DEFAULT_MEMORY_MIB})
  --cpus N                    number of vCPUs, 1-${MAX_CPUS} (default 1); vCPUs other than the first stay
                              paused (no local APIC to start them)
  --format pvh|elf64|raw      boot protocol (default: detect). pvh: ELF with the Xen PVH entry note
                              (type 18), 32-bit protected mode, hvm_start_info in EBX. elf64: ELF64
                              entered in long mode at e_entry with identity-mapped 4 GiB. raw: flat
                              real-mode image loaded at 0x7c00, started at 0000:7c00.
  --stats                     at exit, print 'stats {json}' to stderr with engine, instructions,
                              wallSeconds, mips, exits and events
  --debug-devices             log accesses to unclaimed I/O ports and MMIO to stderr
  -h, --help                  show this text

Devices: 16550 UART on COM1 (IRQ 4), 8259 PIC pair, 8254 PIT, MC146818 RTC/CMOS (0x70/0x71),
i8042 (command 0xfe at port 0x64 resets the machine), POST port 0x80 (ignored), exit port 0xf4.
Reads of unclaimed ports return all-ones; writes to them are ignored.

Exit status: the value v written to port 0xf4 (QEMU's isa-debug-exit reports (v << 1) | 1; this
VMM reports v itself; values above 255 become 255). Otherwise non-zero with one line on stderr:
3 reset, 4 triple fault or other shutdown, 5 crash requested by the introspection tool,
6 HLT with interrupts disabled, 70 engine error, 2 bad arguments or unreadable/unbootable guest.
`;

const OPTIONS_WITH_VALUE = new Set(['--engine', '--mem', '--cpus', '--format']);

function wholeNumber(option: string, text: string, min: number, max: number, unit: string): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${option} needs a whole number of ${unit} from ${min} to ${max}, got '${text}'`);
  }
  return Number(text);
}

/** Parses argv (without node and the script path). */
export function parseCommandLine(argv: readonly string[]): CliRequest {
  if (argv.length === 0) throw new UsageError('missing command: use kvmi-vmm run GUEST (see kvmi-vmm --help)');
  if (argv.includes('-h') || argv.includes('--help') || argv[0] === 'help') return { command: 'help' };
  if (argv[0] !== 'run') throw new UsageError(`unknown command '${argv[0]}': the only command is 'run' (see kvmi-vmm --help)`);
  const request: RunRequest = { command: 'run', guest: '', engine: 'emulator', memoryMiB: DEFAULT_MEMORY_MIB, cpus: 1, stats: false, debugDevices: false };
  const positional: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (OPTIONS_WITH_VALUE.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      applyOption(request, name, value);
    } else if (name === '--stats' || name === '--debug-devices') {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      if (name === '--stats') request.stats = true; else request.debugDevices = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option '${arg}' (see kvmi-vmm --help)`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length === 0) throw new UsageError('run needs a GUEST file (an ELF or, with --format raw, a real-mode image)');
  if (positional.length > 1) throw new UsageError(`run takes one GUEST file, got ${positional.length}: ${positional.join(' ')}`);
  request.guest = positional[0];
  return request;
}

function applyOption(r: RunRequest, name: string, value: string): void {
  switch (name) {
    case '--engine':
      if (!(ENGINE_CHOICES as readonly string[]).includes(value)) throw new UsageError(`--engine must be one of ${ENGINE_CHOICES.join(', ')}, got '${value}'`);
      r.engine = value as EngineChoice;
      return;
    case '--format':
      if (!(BOOT_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format must be one of ${BOOT_FORMATS.join(', ')}, got '${value}'`);
      r.format = value as BootFormat;
      return;
    case '--mem': r.memoryMiB = wholeNumber('--mem', value, 1, MAX_MEMORY_MIB, 'MiB'); return;
    case '--cpus': r.cpus = wholeNumber('--cpus', value, 1, MAX_CPUS, 'vCPUs'); return;
  }
}
