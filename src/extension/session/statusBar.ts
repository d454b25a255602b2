// Status bar item of a kvmi session: engine (the one the adapter's kvmi/engine event reports, else
// the configured one), whether the vCPUs run or are paused, and the number of
// active watchpoints; a click lists the restricted guest pages (kvmi/statistics).
import * as vscode from 'vscode';
import { CustomEvent, type EngineEventBody } from '../../dap/protocol/custom';
import type { WatchpointStore } from '../watch/watchpointStore';
import type { SessionMonitor } from './sessionMonitor';

export function createStatusBar(monitor: SessionMonitor, store: WatchpointStore): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('kvmi.session', vscode.StatusBarAlignment.Left, 10);
  item.name = 'KVMI session';
  item.command = 'kvmi.showRestrictedPages';
  // The engine each session reports running (with "auto" the VMM chooses at start).
  const reported = new Map<string, EngineEventBody>();
  const update = () => {
    const state = monitor.state;
    if (!state) { item.hide(); return; }
    const engine = reported.get(state.session.id);
    const active = store.all.filter((w) => w.enabled).length;
    const vcpus = state.running ? 'running' : 'paused';
    item.text = `$(chip) KVMI ${engine?.engine ?? state.engine} · vCPUs ${vcpus} · $(eye) ${active}`;
    const engineLine = engine ? `${engine.engine}${engine.reason ? ` (${engine.reason})` : ''}` : `${state.engine} (configured; not yet reported)`;
    item.tooltip = `Engine: ${engineLine}\nvCPUs: ${vcpus}${state.lastStop ? ` (${state.lastStop.reason}${state.lastStop.text ? `: ${state.lastStop.text}` : ''})` : ''}\nActive watchpoints: ${active}\nClick for the restricted guest pages`;
    item.show();
  };
  const ended = vscode.debug.onDidTerminateDebugSession((s) => reported.delete(s.id));
  const engineEvents = vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
    if (e.event !== CustomEvent.engine) return;
    reported.set(e.session.id, e.body as EngineEventBody);
    update();
  });
  return [item, engineEvents, ended, monitor.onDidChange(update), store.onDidChange(update),
    vscode.commands.registerCommand('kvmi.showRestrictedPages', async () => {
      const frames = monitor.state?.statistics?.restrictedFrames;
      if (!frames) { void vscode.window.showInformationMessage('No kvmi session is paused: restricted pages are listed at each stop.'); return; }
      await vscode.window.showQuickPick(frames.map((f) => ({ label: f.frame, description: `guest may ${f.access}` })),
        { title: `${frames.length} restricted guest page(s)` });
    })];
}
