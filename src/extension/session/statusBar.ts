// Status bar item of a kvmi session: engine, whether the vCPUs run or are paused, and the number of
// active watchpoints; a click lists the restricted guest pages (kvmi/statistics).
import * as vscode from 'vscode';
import type { WatchpointStore } from '../watch/watchpointStore';
import type { SessionMonitor } from './sessionMonitor';

export function createStatusBar(monitor: SessionMonitor, store: WatchpointStore): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('kvmi.session', vscode.StatusBarAlignment.Left, 10);
  item.name = 'KVMI session';
  item.command = 'kvmi.showRestrictedPages';
  const update = () => {
    const state = monitor.state;
    if (!state) { item.hide(); return; }
    const active = store.all.filter((w) => w.enabled).length;
    const vcpus = state.running ? 'running' : 'paused';
    item.text = `$(chip) KVMI ${state.engine} · vCPUs ${vcpus} · $(eye) ${active}`;
    item.tooltip = `Engine: ${state.engine}\nvCPUs: ${vcpus}${state.lastStop ? ` (${state.lastStop.reason}${state.lastStop.text ? `: ${state.lastStop.text}` : ''})` : ''}\nActive watchpoints: ${active}\nClick for the restricted guest pages`;
    item.show();
  };
  return [item, monitor.onDidChange(update), store.onDidChange(update),
    vscode.commands.registerCommand('kvmi.showRestrictedPages', async () => {
      const frames = monitor.state?.statistics?.restrictedFrames;
      if (!frames) { void vscode.window.showInformationMessage('No kvmi session is paused: restricted pages are listed at each stop.'); return; }
      await vscode.window.showQuickPick(frames.map((f) => ({ label: f.frame, description: `guest may ${f.access}` })),
        { title: `${frames.length} restricted guest page(s)` });
    })];
}
