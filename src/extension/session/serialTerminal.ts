// The guest's COM1 console as an integrated terminal, for launches with `serial: "terminal"`. Guest
// output arrives as `kvmi/serialOutput` events ({ text }) or, from an adapter without that event, as
// `stdout` output events; keystrokes go to the guest with the `kvmi/serialInput` request ({ text }).
import * as vscode from 'vscode';
import { CustomEvent, CustomRequest, type SerialInputArguments } from '../../dap/protocol/custom';

interface DapMessage { type?: string; event?: string; body?: { text?: string; output?: string; category?: string } }

/** Terminal line discipline: the guest expects CR LF line ends on a serial line. */
function toTerminal(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

export class SerialTerminals implements vscode.DebugAdapterTrackerFactory {
  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    if (session.configuration.serial !== 'terminal') return undefined;
    const write = new vscode.EventEmitter<string>();
    let inputRefused = false;
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      open: () => write.fire(`\x1b[2mGuest serial console (COM1) of ${session.name}\x1b[0m\r\n`),
      close: () => undefined,
      handleInput: (data) => {
        const args: SerialInputArguments = { text: data === '\r' ? '\n' : data };
        session.customRequest(CustomRequest.serialInput, args).then(undefined, (error: Error) => {
          if (inputRefused) return;
          inputRefused = true;
          write.fire(`\r\n\x1b[33m[keyboard input not delivered: ${error.message}]\x1b[0m\r\n`);
        });
      },
    };
    const terminal = vscode.window.createTerminal({ name: `Guest console: ${session.name}`, pty });
    terminal.show(true);
    let sawSerialEvent = false;
    return {
      onDidSendMessage: (message: DapMessage) => {
        if (message.type !== 'event') return;
        if (message.event === CustomEvent.serialOutput && message.body?.text) {
          sawSerialEvent = true;
          write.fire(toTerminal(message.body.text));
        } else if (message.event === 'output' && message.body?.category === 'stdout' && !sawSerialEvent && message.body.output) {
          write.fire(toTerminal(message.body.output));
        } else if (message.event === 'exited') {
          write.fire(`\r\n\x1b[2m[guest exited]\x1b[0m\r\n`);
        }
      },
    };
  }
}
