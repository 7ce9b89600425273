// "Parallelism Lens: Compare with…": the shown config (A) against another config of the workspace or a what-if of
// its own design (B), both through the editor's estimate, side by side in the panel's Compare tab. Nothing here
// edits a file: another config is opened as a document (not shown) and analysed the way the editor analyses it.
import * as vscode from 'vscode';
import type { ScheduleId } from '../../model/design';
import { estimate } from '../../model/estimate';
import { SCHEDULE_IDS, SCHEDULE_LABELS } from '../../model/schedule/index';
import type { WhatIfChanges } from '../../protocol';
import type { ConfigFeatures } from '../editor/configFeatures';
import { compareEstimates, type ComparedSide } from './estimateComparison';
import type { PanelSession } from '../panel/panel';
import { MAX_EDITOR_OPS, type PipelineResult } from '../analysis/pipeline';
import { applyWhatIf, scheduleOps, WHAT_IF_LIMITS } from '../analysis/whatIf';

/** Files a reader may recognise; the pick analyses only the one chosen. */
const CONFIG_GLOB = '**/*.{yaml,yml,json,toml,sh,py}';
const EXCLUDE_GLOB = '**/{node_modules,.git,dist,out,.venv,venv,__pycache__}/**';
const MAX_FILES = 500;

type Pick = vscode.QuickPickItem & { action: 'schedule' | 'pp' | 'mbs' | 'panel-what-if' | 'file'; uri?: vscode.Uri };

export class CompareWith {
  constructor(private readonly features: ConfigFeatures, private readonly session: PanelSession, private readonly openPanel: () => void) {}

  async run(): Promise<void> {
    const shown = this.session.shown();
    const design = shown?.analysed.completion?.design;
    if (!shown || !design) {
      void vscode.window.showWarningMessage('Parallelism Lens: open a training config whose design is complete to compare it (the Problems view says what is missing).');
      return;
    }
    const name = baseName(shown.fileName);
    const picked = await vscode.window.showQuickPick(this.items(shown.fileName, shown.whatIf), {
      title: `Compare ${name} with…`,
      placeHolder: 'A what-if of this design, or another config of the workspace',
      matchOnDescription: true,
    });
    if (!picked) return;
    const left: ComparedSide = { title: name, design, estimate: shown.analysed.estimate?.estimate ?? null, unavailable: unavailable(shown.analysed) };
    const right = picked.action === 'file' && picked.uri ? await this.fileSide(picked.uri) : await this.whatIfSide(picked.action, shown, name);
    if (!right) return;
    this.session.showComparison(compareEstimates(left, right));
    this.openPanel();
  }

  private async items(activePath: string, whatIf: WhatIfChanges | undefined): Promise<Pick[]> {
    const items: Pick[] = [
      { label: 'What-if', kind: vscode.QuickPickItemKind.Separator, action: 'schedule' },
      { label: '$(beaker) Another schedule…', description: 'the same layout with another pipeline schedule', action: 'schedule' },
      { label: '$(beaker) Another PP…', description: 'DP and micro-batches re-derived as the hover does', action: 'pp' },
      { label: '$(beaker) Another micro-batch size…', description: 'micro-batches re-derived from the global batch', action: 'mbs' },
    ];
    if (whatIf && Object.keys(whatIf).length > 0) items.push({ label: '$(beaker) The panel\'s what-if', description: describe(whatIf), action: 'panel-what-if' });
    const files = await vscode.workspace.findFiles(CONFIG_GLOB, EXCLUDE_GLOB, MAX_FILES);
    const others = files.filter((uri) => uri.path !== activePath).sort((a, b) => a.path.localeCompare(b.path));
    if (others.length > 0) items.push({ label: 'Configs in the workspace', kind: vscode.QuickPickItemKind.Separator, action: 'file' });
    for (const uri of others) items.push({ label: `$(file) ${baseName(uri.path)}`, description: vscode.workspace.asRelativePath(uri), action: 'file', uri });
    return items;
  }

  private async fileSide(uri: vscode.Uri): Promise<ComparedSide | undefined> {
    const title = baseName(uri.path);
    let analysed: PipelineResult | undefined;
    try {
      analysed = await this.features.analyse(await vscode.workspace.openTextDocument(uri));
    } catch (error) {
      void vscode.window.showWarningMessage(`Parallelism Lens: ${title} cannot be opened: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    if (!analysed) {
      void vscode.window.showWarningMessage(`Parallelism Lens: ${title} is not a training config Parallelism Lens reads; nothing to compare.`);
      return undefined;
    }
    return { title, design: analysed.completion?.design, estimate: analysed.estimate?.estimate ?? null, unavailable: unavailable(analysed) };
  }

  private async whatIfSide(action: Pick['action'], shown: NonNullable<ReturnType<PanelSession['shown']>>, name: string): Promise<ComparedSide | undefined> {
    const design = shown.analysed.completion!.design!;
    const changes = action === 'panel-what-if' ? shown.whatIf : await askChange(action, design.plan);
    if (!changes) return undefined;
    const applied = applyWhatIf(design, changes);
    if (typeof applied === 'string') {
      void vscode.window.showWarningMessage(`Parallelism Lens: that what-if cannot be estimated: ${applied}.`);
      return undefined;
    }
    const title = `${name} with ${describe(applied.changes) || 'no change'}`;
    if (scheduleOps(applied.design.plan) > MAX_EDITOR_OPS) {
      return { title, design: applied.design, estimate: null, unavailable: `${applied.design.plan.microbatches} micro-batches × ${applied.design.plan.pp} ranks is more schedule than the editor simulates; run plens estimate for it` };
    }
    const result = estimate(applied.design);
    const blocking = result.problems.find((p) => p.severity === 'error' && p.code !== 'memory/over-capacity');
    return { title, design: applied.design, estimate: result.estimate, ...(result.estimate ? {} : { unavailable: blocking?.message ?? 'no estimate' }) };
  }
}

async function askChange(action: Pick['action'], plan: { schedule: ScheduleId; pp: number; microBatchSize: number }): Promise<WhatIfChanges | undefined> {
  if (action === 'schedule') {
    const items = SCHEDULE_IDS.filter((id) => id !== plan.schedule).map((id) => ({ label: SCHEDULE_LABELS[id] ?? id, id }));
    const picked = await vscode.window.showQuickPick(items, { title: `Compare with another schedule (now ${SCHEDULE_LABELS[plan.schedule] ?? plan.schedule})` });
    return picked ? { schedule: picked.id } : undefined;
  }
  const key = action === 'pp' ? 'pp' : 'microBatchSize';
  const label = action === 'pp' ? 'PP' : 'Micro-batch size';
  const limit = WHAT_IF_LIMITS[key];
  const text = await vscode.window.showInputBox({
    title: `Compare with another ${label} (now ${plan[key]})`,
    prompt: `${label}, a whole number from 1 to ${limit}`,
    value: String(action === 'pp' ? Math.max(1, Math.floor(plan.pp / 2)) : plan.microBatchSize * 2),
    validateInput: (input) => (/^\d+$/.test(input.trim()) && Number(input) >= 1 && Number(input) <= limit ? undefined : `${label} must be a whole number from 1 to ${limit}`),
  });
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return { [key]: Number(text) };
}

function describe(changes: WhatIfChanges): string {
  const parts: string[] = [];
  if (changes.schedule) parts.push(SCHEDULE_LABELS[changes.schedule] ?? changes.schedule);
  if (changes.pp !== undefined) parts.push(`PP ${changes.pp}`);
  if (changes.microBatchSize !== undefined) parts.push(`micro-batch size ${changes.microBatchSize}`);
  return parts.join(', ');
}

function unavailable(analysed: PipelineResult): string | undefined {
  if (analysed.estimate?.estimate) return undefined;
  return analysed.problems.find((p) => p.severity === 'error')?.message ?? 'the file does not give a complete design';
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
