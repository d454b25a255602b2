// "Show Faulting Address": after a stop, opens VS Code's disassembly view at the stopping instruction
// (the top frame's instructionPointerReference) and the memory (hex) view at the accessed address
// (the stop's "write at 0x..." text), through the session's memoryReference support.
import * as vscode from 'vscode';
import type { SessionMonitor } from './sessionMonitor';
import { accessedAddress } from './stopText';


export function registerFaultViews(monitor: SessionMonitor): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('kvmi.openDisassemblyAtStop', async () => {
      if (!monitor.state?.lastStop) throw new Error('no kvmi session is paused');
      await vscode.commands.executeCommand('debug.action.openDisassemblyView');
    }),
    vscode.commands.registerCommand('kvmi.openMemoryAtFault', async () => {
      const state = monitor.state;
      const address = accessedAddress(state?.lastStop?.text);
      if (!state || !address) {
        void vscode.window.showInformationMessage('The last stop was not a memory access: no faulting address to show.');
        return;
      }
      // VS Code's debug memory file system: vscode-debug-memory://<session>/<memoryReference>, shown by a hex editor.
      const uri = vscode.Uri.from({ scheme: 'vscode-debug-memory', authority: state.session.id,
        path: `/${encodeURIComponent(address)}/memory.bin`, query: `?range=0:${0x100}` });
      try {
        await vscode.commands.executeCommand('vscode.openWith', uri, 'hexEditor.hexedit');
      } catch {
        void vscode.window.showWarningMessage(`Faulting address ${address}: install the Hex Editor extension to browse guest memory there, or use "View Binary Data" on a variable.`);
      }
    }),
  ];
}
