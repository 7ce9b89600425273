// The editor surface for training configs in one registration: analysis on open and change, diagnostics, quick
// fixes, hovers, the CodeLens and the status bar. The panel reads the active file's analysis through
// `current()` / `onDidAnalyse` instead of analysing again.
import * as vscode from 'vscode';
import { ConfigAnalyser, SETTINGS_SECTION, type AnalysedConfig } from '../analysis/analysis';
import { ConfigCodeLens } from './codeLens';
import { ConfigDiagnostics } from './diagnostics';
import { ConfigHover } from './hover';
import { ConfigQuickFixes } from './quickFixes';
import { ConfigStatusBar } from './statusBar';

export type { AnalysedConfig } from '../analysis/analysis';

export interface ConfigFeatures extends vscode.Disposable {
  /** Fires when the active editor's analysis changes: a new result, or undefined when it is not a config. */
  readonly onDidAnalyse: vscode.Event<AnalysedConfig | undefined>;
  /** The active editor's latest analysis ({ uri, read, completion, estimate, problems }), if it is a config. */
  current(): AnalysedConfig | undefined;
  /** The analysis of a document's current text (waits for a pending one). */
  analyse(document: vscode.TextDocument): Promise<AnalysedConfig | undefined>;
  /** What other text would give for this document, without publishing it (checking an edit first). */
  analyseEdited(document: vscode.TextDocument, text: string): ReturnType<ConfigAnalyser['analyseEdited']>;
}

/** Languages whose files a reader may recognise, plus `*.plens.yaml` by name (DESIGN.md §6 activation). */
const SELECTOR: vscode.DocumentSelector = [
  { language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }, { language: 'toml' },
  { language: 'shellscript' }, { language: 'python' }, { pattern: '**/*.plens.{yaml,yml}' },
];

export function registerConfigFeatures(context: vscode.ExtensionContext): ConfigFeatures {
  // Errors always; at debug level (Developer: Set Log Level…) the time of every analysis and hover (latency.ts).
  const log = vscode.window.createOutputChannel('Parallelism Lens', { log: true });
  const settings = () => vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const analyser = new ConfigAnalyser(context.extensionUri, log);
  const diagnostics = new ConfigDiagnostics();
  const statusBar = new ConfigStatusBar();
  const codeLens = new ConfigCodeLens(analyser, () => settings().get<boolean>('enableCodeLens', true));
  const activeChanged = new vscode.EventEmitter<AnalysedConfig | undefined>();
  let active: AnalysedConfig | undefined;

  const activeDocument = () => vscode.window.activeTextEditor?.document;
  const setActive = (result: AnalysedConfig | undefined) => {
    active = result;
    statusBar.show(result);
    activeChanged.fire(result);
  };
  const showActive = async () => {
    const document = activeDocument();
    if (!document) return setActive(undefined);
    const result = await analyser.ensure(document);
    // The user may have switched editors while this one was analysed.
    if (activeDocument() === document) setActive(result);
  };

  const watcher = vscode.workspace.createFileSystemWatcher('**/plens.yaml');
  const workspaceChanged = () => analyser.invalidate({ workspace: true });

  context.subscriptions.push(
    log, analyser, diagnostics, statusBar, codeLens, activeChanged, watcher,
    analyser.onDidChange(({ document, result }) => {
      diagnostics.publish(document, result);
      if (document === activeDocument()) setActive(result);
    }),
    vscode.workspace.onDidOpenTextDocument((document) => analyser.schedule(document)),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0) analyser.schedule(event.document);
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      analyser.forget(document.uri);
      diagnostics.clear(document.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
      analyser.invalidate();
      codeLens.refresh();
    }),
    watcher.onDidCreate(workspaceChanged), watcher.onDidChange(workspaceChanged), watcher.onDidDelete(workspaceChanged),
    vscode.window.onDidChangeActiveTextEditor(() => void showActive()),
    vscode.languages.registerHoverProvider(SELECTOR, new ConfigHover(analyser, log)),
    vscode.languages.registerCodeActionsProvider(SELECTOR, new ConfigQuickFixes(analyser), { providedCodeActionKinds: ConfigQuickFixes.kinds }),
    vscode.languages.registerCodeLensProvider(SELECTOR, codeLens),
  );

  for (const document of vscode.workspace.textDocuments) analyser.schedule(document);
  void showActive();

  return {
    onDidAnalyse: activeChanged.event,
    current: () => active,
    analyse: (document) => analyser.ensure(document),
    analyseEdited: (document, text) => analyser.analyseEdited(document, text),
    dispose: () => undefined,
  };
}
