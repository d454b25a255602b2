// The guest's COM1 as seen by the debug adapter. The VMM puts COM1's transmit side on its stdout and
// feeds its stdin to COM1's receive side. With `serial: "debugConsole"` guest output becomes `stdout`
// output events; with `serial: "terminal"` it becomes `kvmi/serialOutput` events for the extension's
// guest-console terminal, whose keystrokes (`kvmi/serialInput`) are written to the VMM's stdin.
import type { Writable } from 'node:stream';
import { OutputEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { CustomEvent, type SerialOutputEventBody } from '../protocol/custom';

export type SerialMode = 'debugConsole' | 'terminal';

/** Why guest input could not be delivered. */
export class SerialInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SerialInputError';
  }
}

export const ATTACH_INPUT_MESSAGE = 'guest input is not available when attached: the VMM was started outside the debugger, '
  + 'so its stdin (COM1 input) is not connected here; type into the terminal that runs the VMM';
export const DEBUG_CONSOLE_INPUT_MESSAGE = 'guest input needs "serial": "terminal" in the launch configuration';
export const NO_SESSION_INPUT_MESSAGE = 'no guest has been launched in this session';
export const VMM_GONE_INPUT_MESSAGE = 'the VMM has exited, so the guest can no longer receive input';

export class GuestConsole {
  /** The VMM's stdin with `serial: "terminal"`; undefined otherwise. */
  private input: Writable | undefined;
  private reason: string = NO_SESSION_INPUT_MESSAGE;
  private mode: SerialMode = 'debugConsole';

  constructor(private readonly send: (event: DebugProtocol.Event) => void) {}

  /** A launch: output goes by `mode`; input reaches `stdin` when the mode is the terminal. */
  launched(mode: SerialMode, stdin: Writable | null): void {
    this.mode = mode;
    this.input = mode === 'terminal' && stdin ? stdin : undefined;
    this.reason = mode === 'terminal' ? VMM_GONE_INPUT_MESSAGE : DEBUG_CONSOLE_INPUT_MESSAGE;
    stdin?.on('error', () => this.vmmExited()); // EPIPE once the VMM is gone
  }

  attached(): void {
    this.input = undefined;
    this.reason = ATTACH_INPUT_MESSAGE;
  }

  vmmExited(): void {
    this.input = undefined;
  }

  /** Guest output (VMM stdout). */
  output(text: string): void {
    if (this.mode === 'terminal') {
      const body: SerialOutputEventBody = { text };
      this.send({ seq: 0, type: 'event', event: CustomEvent.serialOutput, body });
    } else {
      this.send(new OutputEvent(text, 'stdout'));
    }
  }

  /** Writes `args.text` to COM1's receive side; resolves once the VMM's stdin took it. */
  async write(args: unknown): Promise<void> {
    const text = (args as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string') throw new SerialInputError(`kvmi/serialInput needs { "text": string }, not ${JSON.stringify(args)}`);
    const input = this.input;
    if (!input) throw new SerialInputError(this.reason);
    if (input.destroyed || input.writableEnded) throw new SerialInputError(VMM_GONE_INPUT_MESSAGE);
    await new Promise<void>((resolve, reject) => input.write(text, 'utf8', (error) => {
      if (error) { this.vmmExited(); reject(new SerialInputError(`${VMM_GONE_INPUT_MESSAGE} (${error.message})`)); } else resolve();
    }));
  }
}
