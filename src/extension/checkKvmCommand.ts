// The "KVMI: Check KVM Access" command: tells the user whether launches with "engine": "kvm" can work
// on this machine, and why not, without starting a debug session.
import * as vscode from 'vscode';
import { probeKvm } from './kvmDevice';

export async function checkKvmAccess(): Promise<boolean> {
  const kvm = probeKvm();
  if (kvm.usable) {
    void vscode.window.showInformationMessage('KVMI: /dev/kvm is usable; "engine": "kvm" and "auto" will run guests on KVM.');
  } else {
    void vscode.window.showWarningMessage(`KVMI: ${kvm.reason}. Guests will run on the emulator ("engine": "auto" or "emulator").`);
  }
  return kvm.usable;
}
