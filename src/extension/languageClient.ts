// Starts and stops the guest-symbol language server (dist/languageServer.js, node IPC) for C, C++
// and assembly files, passes it the `kvmi.guestElfs` setting and saved watchpoints, lets it see
// ELF and launch.json changes, and forwards the debug session's state as `kvmi/sessionState`.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  sessionStateNotification, type LanguageServerOptions, type PersistedWatchpoint, type SessionState,
} from '../dap/lsp/protocol';

/** Languages whose files may be guest sources: C, C++ and the common assembly language ids. */
const guestLanguages = ['c', 'cpp', 'asm', 'arm', 'arm64', 'nasm', 'gas', 'masm', 'asm-intel-x86-generic'];

let client: LanguageClient | undefined;

function guestElfsSetting(): string[] {
  return vscode.workspace.getConfiguration('kvmi').get<string[]>('guestElfs', []);
}

/** Starts the server; `persistedWatchpoints` are the watchpoints the extension keeps across sessions. */
export async function start(context: vscode.ExtensionContext, persistedWatchpoints: PersistedWatchpoint[] = []): Promise<void> {
  if (client) return;
  const module = context.asAbsolutePath('dist/languageServer.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const initializationOptions: LanguageServerOptions = { guestElfs: guestElfsSetting(), persistedWatchpoints };
  const clientOptions: LanguageClientOptions = {
    documentSelector: guestLanguages.map((language) => ({ language, scheme: 'file' })),
    initializationOptions,
    synchronize: {
      // didChangeConfiguration carries the whole `kvmi` section (guestElfs).
      configurationSection: 'kvmi',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.elf,.vscode/launch.json}'),
    },
  };
  client = new LanguageClient('kvmiGuestSymbols', 'KVMI Guest Symbols', serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => void stop() });
  await client.start();
}

export async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) await running.stop();
}

/** Forwards the debug session's watchpoints, page restrictions and values (or its end) to the server. */
export async function sendSessionState(state: SessionState): Promise<void> {
  if (client?.isRunning()) await client.sendNotification(sessionStateNotification, state);
}
