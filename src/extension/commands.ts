// The palette commands. They ask, then hand a query to the panel session; none of them edits a file.
import * as vscode from 'vscode';
import type { ScheduleId } from '../model/design';
import { SCHEDULE_IDS, SCHEDULE_LABELS, parseScheduleId } from '../model/schedule/index';
import type { ScheduleQuery } from '../protocol';
import { SchedulePanel, VIEW_ID, type PanelSession } from './panel/panel';
import { checkChunks, checkMicrobatches, checkPipelineRanks, type Checked } from './schedule/scheduleQuery';

export const COMMAND_OPEN_PANEL = 'parallelismLens.openPanel';
export const COMMAND_OPEN_PANEL_BESIDE = 'parallelismLens.openPanelBeside';
export const COMMAND_SHOW_SCHEDULE = 'parallelismLens.showSchedule';
export const COMMAND_SEARCH_LAYOUTS = 'parallelismLens.searchLayouts';
export const COMMAND_COMPARE_WITH = 'parallelismLens.compareWith';
export const COMMAND_OPEN_EXAMPLE = 'parallelismLens.openExample';
/** The walkthrough's example; it ships in the .vsix (.vscodeignore). */
const EXAMPLE_PATH = ['examples', 'deepseek-v3.plens.yaml'];

/** The query the controls start from: the last one shown, else the settings. */
export function defaultQuery(session?: PanelSession): ScheduleQuery {
  const last = session?.lastQuery;
  if (last) return last;
  const config = vscode.workspace.getConfiguration('parallelismLens');
  const schedule = parseScheduleId(config.get<string>('defaultSchedule') ?? '') ?? '1f1b';
  const microbatches = Math.max(1, Math.floor(config.get<number>('defaultMicrobatches') ?? 16));
  return { schedule, pp: 4, microbatches };
}

export function registerCommands(extensionUri: vscode.Uri, session: PanelSession): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND_OPEN_PANEL, () => vscode.commands.executeCommand(`${VIEW_ID}.focus`)),
    vscode.commands.registerCommand(COMMAND_OPEN_PANEL_BESIDE, () => {
      SchedulePanel.createOrShow(extensionUri, session);
    }),
    // An unsaved copy: the walkthrough never writes into the workspace, and readers know the format by content.
    vscode.commands.registerCommand(COMMAND_OPEN_EXAMPLE, async () => {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, ...EXAMPLE_PATH));
      const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: new TextDecoder().decode(bytes) });
      await vscode.window.showTextDocument(document);
    }),
    vscode.commands.registerCommand(COMMAND_SHOW_SCHEDULE, async () => {
      const query = await askScheduleQuery(defaultQuery(session));
      if (!query) return;
      SchedulePanel.createOrShow(extensionUri, session);
      const shown = await session.run(query);
      if (shown?.type === 'scheduleError') void vscode.window.showErrorMessage(`Parallelism Lens: ${shown.message}`);
    }),
  ];
}

/** QuickPick for the schedule, then input boxes whose validation messages state the rule that is broken. */
async function askScheduleQuery(start: ScheduleQuery): Promise<ScheduleQuery | undefined> {
  const steps = 3;
  const items = SCHEDULE_IDS.map((id) => ({ label: SCHEDULE_LABELS[id], description: id === start.schedule ? `${id} · last used` : id, id }));
  const preferred = items.findIndex((item) => item.id === start.schedule);
  if (preferred > 0) items.unshift(...items.splice(preferred, 1));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Show Schedule (1/${steps})`,
    placeHolder: 'Pipeline schedule to simulate',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  const schedule: ScheduleId = picked.id;

  let chunks: number | undefined;
  if (schedule === 'interleaved-1f1b') {
    chunks = await askNumber(`Show Schedule: ${picked.label} — chunks per rank`, 'Model chunks per rank (v)', String(start.chunks ?? 2), checkChunks);
    if (chunks === undefined) return undefined;
  }
  const pp = await askNumber(`Show Schedule (2/${steps}): ${picked.label}`, 'Pipeline ranks (devices), p', String(start.pp), (text) => checkPipelineRanks(schedule, text, chunks));
  if (pp === undefined) return undefined;
  const microbatches = await askNumber(
    `Show Schedule (3/${steps}): ${picked.label}, p = ${pp}`,
    schedule === 'dualpipe' ? 'Micro-batches per step, both directions together, m' : 'Micro-batches per step, m',
    String(start.microbatches),
    (text) => checkMicrobatches(schedule, pp, text, chunks),
  );
  if (microbatches === undefined) return undefined;
  return chunks === undefined ? { schedule, pp, microbatches } : { schedule, pp, microbatches, chunks };
}

async function askNumber(title: string, prompt: string, value: string, check: (text: string) => Checked<number>): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt,
    value,
    validateInput: (input) => {
      const checked = check(input);
      return checked.ok ? undefined : checked.message;
    },
  });
  if (text === undefined) return undefined;
  const checked = check(text);
  return checked.ok ? checked.value : undefined;
}
