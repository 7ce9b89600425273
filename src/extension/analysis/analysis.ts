// Per-document analysis for the editor: debounced on change, cached by document version, and fed what completion
// needs (settings, the workspace plens.yaml, files a `model=` directive names, the shell grammar), all read
// asynchronously before the synchronous pipeline runs. Nothing here executes workspace content, and a failure
// is logged and shown as one problem, never thrown into the editor (DESIGN.md §7).
import * as vscode from 'vscode';
import { findDirectives, initPythonGrammar, initShellGrammar, readConfig, readPlensYaml, type Completion, type ReadResult } from '../../config/index';
import type { DesignDraft } from '../../model/design';
import { emptyDraft } from '../../model/design';
import type { EstimateResult } from '../../model/estimate';
import type { Problem } from '../../model/problems';
import { analysisLine, elapsedMs } from './latency';
import { analyseText, EDITOR_CUTOFF_CHARS, MAX_EDITOR_CHARS, type PipelineInput, type PipelineResult } from './pipeline';
import { readWorkspaceFile, type WorkspaceRead } from './workspaceFiles';
import { calibrationFromObject } from '../../config/plens/calibrationInput';

/** The latest analysis of one document. */
export interface AnalysedConfig {
  uri: vscode.Uri;
  version: number;
  read: ReadResult;
  completion: Completion | undefined;
  estimate: EstimateResult | undefined;
  /** What the diagnostics show: reader, completion and model problems, located and merged. */
  problems: Problem[];
}

export const DEBOUNCE_MS = 150;
export const SETTINGS_SECTION = 'parallelismLens';

const LANGUAGES = new Set(['yaml', 'json', 'jsonc', 'toml', 'shellscript', 'python']);
/** Documents that are views of something else (diffs, output, SCM input) are never configs to annotate. */
const IGNORED_SCHEMES = new Set(['git', 'output', 'debug', 'vscode-scm', 'vscode-notebook-cell', 'comment']);
const UNTITLED_EXTENSIONS: Record<string, string> = { yaml: '.yaml', json: '.json', jsonc: '.jsonc', toml: '.toml', shellscript: '.sh', python: '.py' };

export function isCandidate(document: vscode.TextDocument): boolean {
  if (IGNORED_SCHEMES.has(document.uri.scheme)) return false;
  return LANGUAGES.has(document.languageId) || /\.plens\.ya?ml$/i.test(document.uri.path);
}

/** The name readers see: the path, or for an unsaved buffer a name whose extension says its language. */
function readerFileName(document: vscode.TextDocument): string {
  if (document.uri.scheme !== 'untitled') return document.uri.path;
  return `untitled${UNTITLED_EXTENSIONS[document.languageId] ?? ''}`;
}

type Entry = { version: number; result: AnalysedConfig | undefined };

export class ConfigAnalyser implements vscode.Disposable {
  private readonly cache = new Map<string, Entry>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly running = new Map<string, Promise<AnalysedConfig | undefined>>();
  private readonly workspaceDrafts = new Map<string, Promise<DesignDraft | undefined>>();
  private readonly changed = new vscode.EventEmitter<{ document: vscode.TextDocument; result: AnalysedConfig | undefined }>();
  private readonly shellReady: Promise<void>;
  private disposed = false;

  /** Fires after a document's analysis is published (result undefined: not a training config). */
  readonly onDidChange = this.changed.event;

  constructor(extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {
    this.shellReady = loadShellGrammar(extensionUri).catch((error: unknown) => {
      log.error(`The shell or Python grammar did not load; launch scripts and Python configs are not analysed: ${describe(error)}`);
    });
  }

  /** The cached analysis when it matches the document's current version. */
  peek(document: vscode.TextDocument): AnalysedConfig | undefined {
    const entry = this.cache.get(document.uri.toString());
    return entry && entry.version === document.version ? entry.result : undefined;
  }

  /** Analyse after the user pauses typing. */
  schedule(document: vscode.TextDocument): void {
    if (!isCandidate(document)) return;
    const key = document.uri.toString();
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.ensure(document);
    }, DEBOUNCE_MS));
  }

  /** The analysis of the document as it is now, computing it at once if the cache is stale. */
  ensure(document: vscode.TextDocument): Promise<AnalysedConfig | undefined> {
    if (!isCandidate(document) || this.disposed) return Promise.resolve(undefined);
    const key = document.uri.toString();
    const entry = this.cache.get(key);
    if (entry && entry.version === document.version) return Promise.resolve(entry.result);
    const running = this.running.get(key);
    if (running) return running;
    const pending = this.timers.get(key);
    if (pending) {
      clearTimeout(pending);
      this.timers.delete(key);
    }
    const run = this.run(document).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.cache.delete(key);
    const pending = this.timers.get(key);
    if (pending) clearTimeout(pending);
    this.timers.delete(key);
  }

  /** Settings or the workspace plens.yaml changed: every open config is analysed again. */
  invalidate(options: { workspace?: boolean } = {}): void {
    if (options.workspace) this.workspaceDrafts.clear();
    this.cache.clear();
    for (const document of vscode.workspace.textDocuments) this.schedule(document);
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.cache.clear();
    this.changed.dispose();
  }

  private async run(document: vscode.TextDocument): Promise<AnalysedConfig | undefined> {
    const version = document.version;
    let result: AnalysedConfig | undefined;
    try {
      const started = performance.now();
      const input = await this.pipelineInput(document, document.getText());
      if (this.disposed) return undefined;
      // Typed into while files were read: start over on the new text (this promise stays the one running).
      if (document.version !== version) return this.run(document);
      const inputMs = elapsedMs(started);
      const analysing = performance.now();
      const analysed = analyseText(input);
      this.log.debug(analysisLine({ file: document.uri.toString(true), version, inputMs, analysisMs: elapsedMs(analysing), recognised: analysed !== undefined }));
      if (analysed) result = { uri: document.uri, version, ...analysed };
    } catch (error) {
      // analyseText guards itself; this is the last net for the glue around it.
      this.log.error(`Analysing ${document.uri.toString(true)} failed: ${describe(error)}`);
      result = undefined;
    }
    if (this.disposed) return undefined;
    this.cache.set(document.uri.toString(), { version, result });
    this.changed.fire({ document, result });
    return result;
  }

  /**
   * The pipeline on other text for this document, with the same settings, workspace layer and model files: how
   * Apply checks what an edit gives before making it. Not cached, not published.
   */
  async analyseEdited(document: vscode.TextDocument, text: string): Promise<PipelineResult | undefined> {
    try {
      return analyseText(await this.pipelineInput(document, text));
    } catch (error) {
      this.log.error(`Analysing an edit of ${document.uri.toString(true)} failed: ${describe(error)}`);
      return undefined;
    }
  }

  private async pipelineInput(document: vscode.TextDocument, text: string): Promise<PipelineInput> {
    if (isScript(document)) await this.shellReady;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const [workspace, modelFiles] = await Promise.all([
      folder && !isWorkspaceFile(document, folder) ? this.workspaceDraft(folder) : Promise.resolve(undefined),
      text.length <= MAX_EDITOR_CHARS ? readDirectiveFiles(document, text) : Promise.resolve(new Map<string, string | { refused: string }>()),
    ]);
    // Only launch scripts name companion files; other formats are not read twice.
    if (isScript(document) && text.length <= EDITOR_CUTOFF_CHARS.shell) await readCompanionFiles(document, text, readerFileName(document), modelFiles);
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, document.uri);
    return {
      text,
      fileName: readerFileName(document),
      settings: settingsDraft(config),
      ...(workspace ? { workspace } : {}),
      readFile: (path) => modelFiles.get(path),
      ...warningThresholds(config),
    };
  }

  private workspaceDraft(folder: vscode.WorkspaceFolder): Promise<DesignDraft | undefined> {
    const key = folder.uri.toString();
    let draft = this.workspaceDrafts.get(key);
    if (!draft) {
      draft = readWorkspaceDraft(folder, this.log);
      this.workspaceDrafts.set(key, draft);
    }
    return draft;
  }
}

/** A shell script, or a file whose name does not say its format (the shell reader may be the one that reads it). */
function isScript(document: vscode.TextDocument): boolean {
  return document.languageId === 'shellscript' || !/\.(ya?ml|jsonc?|toml|py)$/i.test(document.uri.path);
}

function isWorkspaceFile(document: vscode.TextDocument, folder: vscode.WorkspaceFolder): boolean {
  return document.uri.toString() === vscode.Uri.joinPath(folder.uri, 'plens.yaml').toString();
}

async function loadShellGrammar(extensionUri: vscode.Uri): Promise<void> {
  const read = (name: string) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', name));
  const [runtime, bash, python] = await Promise.all([read('web-tree-sitter.wasm'), read('tree-sitter-bash.wasm'), read('tree-sitter-python.wasm')]);
  // Both grammars share one runtime; Python configs (torchtitan registry, NeMo 2 recipes) need the second.
  await Promise.all([initShellGrammar({ runtime, bash }), initPythonGrammar({ runtime, python })]);
}

/** The workspace's plens.yaml as a completion layer (DESIGN.md §2); absent or unreadable means no layer. */
async function readWorkspaceDraft(folder: vscode.WorkspaceFolder, log: vscode.LogOutputChannel): Promise<DesignDraft | undefined> {
  const uri = vscode.Uri.joinPath(folder.uri, 'plens.yaml');
  let read: WorkspaceRead;
  try {
    read = await readWorkspaceFile(uri, folder.uri, 'plens.yaml');
  } catch {
    return undefined;
  }
  if ('refused' in read) {
    if (!/no such file/.test(read.refused)) log.warn(`The workspace plens.yaml is not used: ${read.refused}`);
    return undefined;
  }
  if (read.text.length > EDITOR_CUTOFF_CHARS['plens-yaml']) return undefined;
  try {
    return readPlensYaml(read.text, 'plens.yaml')?.design;
  } catch (error) {
    log.error(`Reading ${uri.toString(true)} failed: ${describe(error)}`);
    return undefined;
  }
}

/**
 * Reads, ahead of completion, the files `# plens: model=./config.json` names relative to the document: one at a
 * time, each bounded and inside the document's workspace folder (workspaceFiles.ts); a refusal is kept so
 * completion says why at the directive.
 */
async function readDirectiveFiles(document: vscode.TextDocument, text: string): Promise<Map<string, string | { refused: string }>> {
  const files = new Map<string, string | { refused: string }>();
  if (document.uri.scheme === 'untitled') return files;
  const paths = findDirectives(text).directives.filter((d) => d.key === 'model' && /[\\/]|\.(json|ya?ml|toml)$/i.test(d.value)).map((d) => d.value);
  for (const path of paths.slice(0, 4)) {
    const read = await readNamedFile(document, path);
    // Unreadable: completion reports `directive/model-file` at the directive.
    if (read !== undefined) files.set(path, read);
  }
  return files;
}

/**
 * One file a config names, relative to the document: its text, why it was refused (outside the workspace folder,
 * too large, not a regular file: workspaceFiles.ts), or undefined when it could not be read at all.
 */
async function readNamedFile(document: vscode.TextDocument, path: string): Promise<string | { refused: string } | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder) return { refused: `${path}: the document is not in a workspace folder, so files it names are not read` };
  const uri = path.startsWith('/') ? document.uri.with({ path }) : vscode.Uri.joinPath(document.uri, '..', path);
  try {
    const read = await readWorkspaceFile(uri, folder.uri, path);
    return 'text' in read ? read.text : read;
  } catch {
    return undefined;
  }
}

/**
 * Reads, ahead of completion, the files a config names whose values complete it (a Megatron-DeepSpeed script's
 * `--deepspeed_config FILE` and `--hostfile FILE`), as the CLI does: found by a first read of the text (a shell
 * script at most the shell cut-off, a few milliseconds), then each read bounded and inside the workspace folder.
 */
async function readCompanionFiles(document: vscode.TextDocument, text: string, fileName: string, files: Map<string, string | { refused: string }>): Promise<void> {
  if (document.uri.scheme === 'untitled') return;
  let companions: ReadResult['companions'];
  try {
    companions = readConfig(text, fileName)?.companions;
  } catch {
    return; // the pipeline's own read reports it
  }
  for (const { path } of (companions ?? []).slice(0, 4)) {
    if (files.has(path)) continue;
    const read = await readNamedFile(document, path);
    // A missing or unreadable file is left out, so completion says "not found" at the flag as the CLI does.
    if (read === undefined || (typeof read !== 'string' && /no such file/i.test(read.refused))) continue;
    files.set(path, read);
  }
}

/** The warning thresholds the settings give (a memory fraction outside (0, 1) is ignored), for diagnostics and panel alike. */
export function warningThresholds(config: vscode.WorkspaceConfiguration): { bubbleWarningFraction?: number; memoryWarningFraction?: number } {
  const bubble = config.get<number>('bubbleWarningFraction');
  const memory = config.get<number>('memoryWarningFraction');
  return {
    ...(typeof bubble === 'number' ? { bubbleWarningFraction: bubble } : {}),
    ...(typeof memory === 'number' && memory > 0 && memory < 1 ? { memoryWarningFraction: memory } : {}),
  };
}

/** A setting's value only when the user set it somewhere; declared defaults must not outrank the catalogs. */
function explicit<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const inspected = config.inspect<T>(key);
  return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
}

/** The settings as a completion layer (DESIGN.md §2: below the file, its directives and the workspace file). */
export function settingsDraft(config: vscode.WorkspaceConfiguration): DesignDraft {
  const draft = emptyDraft();
  const gpu = explicit<string>(config, 'gpu');
  if (typeof gpu === 'string' && gpu.trim() !== '') draft.cluster.gpu = gpu.trim();
  const nodes = explicit<number | null>(config, 'nodes');
  if (typeof nodes === 'number' && Number.isInteger(nodes) && nodes >= 1) draft.cluster.nodes = nodes;
  const gpusPerNode = explicit<number>(config, 'gpusPerNode');
  if (typeof gpusPerNode === 'number' && Number.isInteger(gpusPerNode) && gpusPerNode >= 1) draft.cluster.gpusPerNode = gpusPerNode;
  // Out-of-range or unknown keys are left out here; the settings editor's schema already marks them.
  const calibration = calibrationFromObject(explicit<unknown>(config, 'calibration')).calibration;
  if (Object.keys(calibration).length > 0) draft.calibration = calibration;
  return draft;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.message}${error.stack ? `\n${error.stack}` : ''}` : String(error);
}
