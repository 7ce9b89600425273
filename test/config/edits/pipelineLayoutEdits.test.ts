// A search's pipeline layout written into the user's file in its own spelling (src/config/pipelineLayoutEdits.ts):
// Megatron-LM flags, NeMo / Megatron-Bridge keys, a layout string where the file states one and in a *.plens.yaml;
// an option the chosen layout drops is removed with its line. Reading the edited file gives the chosen stages.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyOffsetEdits, planLayoutApply } from '../../../src/config/layoutEdits';
import { analyseText } from '../../../src/extension/analysis/pipeline';
import { splitLayers } from '../../../src/model/cost/stages';
import type { Design, ParallelPlan } from '../../../src/model/design';
import { stageCount } from '../../../src/model/layoutChecks';
import { formatLayout } from '../../../src/model/pipelineLayout';
import { loadShellGrammar } from '../../testInputs';

function analyse(text: string, fileName: string): { design: Design; format: ReturnType<typeof analyseText> } {
  const result = analyseText({ text, fileName });
  const design = result?.completion?.design;
  if (!result || !design) throw new Error(`${fileName} gave no design`);
  return { design, format: result };
}

/** The stages a design splits its layers into, in Megatron's letters. */
function layoutOf(design: Design): string {
  const split = splitLayers(design, stageCount(design));
  return formatLayout(split.stages.map((s) => ({ embedding: s.embedding, decoderLayers: s.layers, mtpLayers: s.mtpLayers, loss: s.head })));
}

/** Applies `change` (sizes and layout options) to the file; the layout string is the target's own, as a search gives it. */
function apply(text: string, fileName: string, change: Partial<ParallelPlan>, clear: (keyof ParallelPlan)[] = []) {
  const before = analyse(text, fileName);
  const target: ParallelPlan = { ...before.design.plan, ...change };
  for (const field of clear) delete target[field];
  const targetLayout = layoutOf({ ...before.design, plan: target });
  const read = before.format!;
  const input = { text, format: read.read.format, sourceMap: read.read.sourceMap, origins: read.completion!.origins, current: before.design.plan, target, targetLayout };
  const result = planLayoutApply(input, (edited) => analyse(edited, fileName).design.plan);
  const after = applyOffsetEdits(text, result.edits);
  const reread = analyse(after, fileName).design;
  return { result, after, reread, targetLayout, rereadLayout: layoutOf(reread) };
}

const MEGATRON = readFileSync('test/config/data/llama3-8b-megatron.sh', 'utf8');
const PLENS = readFileSync('examples/llama3-405b.plens.yaml', 'utf8');

beforeAll(loadShellGrammar);

describe('a pipeline layout in a Megatron-LM script', () => {
  it('adds --decoder-first/last-pipeline-num-layers after the pipeline size, continued like it', () => {
    // 32 layers on PP 4: ranks of 9 with first and last at 7 (7 + 9 + 9 + 7).
    const { result, after, reread, targetLayout, rereadLayout } = apply(MEGATRON, 'train.sh', { pp: 4, tp: 1, firstStageLayers: 7, lastStageLayers: 7 });
    expect(after).toContain('    --pipeline-model-parallel-size 4 \\\n    --decoder-first-pipeline-num-layers 7 \\\n    --decoder-last-pipeline-num-layers 7 \\\n');
    expect(reread.plan.firstStageLayers).toBe(7);
    expect(reread.plan.lastStageLayers).toBe(7);
    expect(rereadLayout).toBe(targetLayout);
    expect(result.remaining).toEqual([]);
  });

  it('adds the accounting switches, and removes an option the chosen layout drops with its line', () => {
    // 32 + embedding + loss = 34 slots do not split over 4; over 2 ranks they do (17 each).
    const accounted = apply(MEGATRON, 'train.sh', { accountForEmbedding: true, accountForLoss: true });
    expect(accounted.after).toContain('--account-for-embedding-in-pipeline-split \\\n    --account-for-loss-in-pipeline-split \\\n');
    expect(accounted.reread.plan.accountForLoss).toBe(true);
    expect(accounted.result.remaining).toEqual([]);
    // Back to the even split: both switches go, and every other byte is as before.
    const back = apply(accounted.after, 'train.sh', {}, ['accountForEmbedding', 'accountForLoss']);
    expect(back.after).toBe(MEGATRON);
    expect(back.result.written.map((c) => c.field)).toEqual(['accountForEmbedding', 'accountForLoss']);
  });

  it('removes the last flag of a command together with the continuation before it', () => {
    const text = MEGATRON.replace('    --bf16', '    --bf16 \\\n    --decoder-last-pipeline-num-layers 15');
    const { after, reread } = apply(text, 'train.sh', {}, ['lastStageLayers']);
    expect(after).toBe(MEGATRON);
    expect(reread.plan.lastStageLayers).toBeUndefined();
  });

  it('states the even split of layers that do not divide as --pipeline-model-parallel-layout, which Megatron needs', () => {
    // 30 layers on PP 4 do not divide: the search's even row is the estimate's fallback (7, 8, 8, 7), stated as a
    // layout string (pipelineLayouts.ts), since Megatron refuses the split without an option saying how.
    const thirty = MEGATRON.replace('--num-layers 32', '--num-layers 30');
    const design = analyse(thirty, 'train.sh').design;
    const fallback = layoutOf({ ...design, plan: { ...design.plan, pp: 4, tp: 1 } });
    expect(fallback).toBe('Et*7|(t*8|)*2t*7L');
    const { result, after, reread, rereadLayout } = apply(thirty, 'train.sh', { pp: 4, tp: 1, layout: fallback });
    expect(after).toContain(`    --pipeline-model-parallel-size 4 \\\n    --pipeline-model-parallel-layout "${fallback}" \\\n`);
    expect(reread.plan.layout).toBe(fallback);
    expect(rereadLayout).toBe(fallback);
    expect(result.remaining).toEqual([]);
  });

  it('rewrites a layout string where the script states one, with the pipeline size', () => {
    const text = MEGATRON.replace('    --micro-batch-size 1 \\', '    --pipeline-model-parallel-layout "Et*15|t*17L" \\\n    --micro-batch-size 1 \\');
    expect(analyse(text, 'train.sh').design.plan.layout).toBe('Et*15|t*17L');
    const { after, reread, targetLayout, result } = apply(text, 'train.sh', { pp: 4, tp: 1, lastStageLayers: 5 }, ['layout']);
    expect(targetLayout).toBe('Et*9|(t*9|)*2t*5L');
    expect(after).toContain(`--pipeline-model-parallel-layout "${targetLayout}" \\`);
    expect(after).not.toContain('--decoder-last-pipeline-num-layers');
    expect(reread.plan.layout).toBe(targetLayout);
    expect(result.remaining).toEqual([]);
  });
});

describe('a pipeline layout in a *.plens.yaml', () => {
  it('is written as parallel.layout, and an even split removes it again', () => {
    const { after, reread, targetLayout, rereadLayout, result } = apply(PLENS, 'llama3-405b.plens.yaml', { lastStageLayers: 6 });
    const pp = analyse(PLENS, 'llama3-405b.plens.yaml').design.plan.pp;
    expect(pp).toBeGreaterThan(2);
    expect(after).toMatch(new RegExp(`\\n  pp: ${pp}\\n  layout: "${targetLayout.replace(/[|()*]/g, '\\$&')}"\\n`));
    expect(reread.plan.layout).toBe(targetLayout);
    expect(rereadLayout).toBe(targetLayout);
    expect(result.remaining).toEqual([]);
    const back = apply(after, 'llama3-405b.plens.yaml', {}, ['layout']);
    expect(back.after).toBe(PLENS);
  });
});

describe('a pipeline layout in NeMo and Megatron-Bridge YAML', () => {
  it('uses num_layers_in_first/last_pipeline_stage and account_for_*_in_pipeline_split next to the pipeline size', () => {
    const nemo = readFileSync('test/fixtures/nemo/launcher_llama3_1_70b.yaml', 'utf8');
    const before = analyse(nemo, 'launcher_llama3_1_70b.yaml').design.plan;
    expect([before.pp, before.vpp]).toEqual([4, 10]);
    // 80 layers on 4 ranks × 10 chunks: first and last ranks of 10 (one layer per chunk), middle ranks of 30.
    const ends = apply(nemo, 'launcher_llama3_1_70b.yaml', { firstStageLayers: 10, lastStageLayers: 10 });
    const lines = ends.after.split('\n');
    const ppLine = lines.findIndex((l) => /^\s*pipeline_model_parallel_size:/.test(l));
    const indent = lines[ppLine]!.match(/^\s*/)![0];
    expect(lines.slice(ppLine + 1, ppLine + 3)).toEqual([`${indent}num_layers_in_first_pipeline_stage: 10`, `${indent}num_layers_in_last_pipeline_stage: 10`]);
    expect(ends.rereadLayout).toBe(ends.targetLayout);
    expect(ends.result.remaining).toEqual([]);
    const embedding = apply(nemo, 'launcher_llama3_1_70b.yaml', { accountForEmbedding: true });
    expect(embedding.after).toContain('account_for_embedding_in_pipeline_split: true');
    expect(embedding.reread.plan.accountForEmbedding).toBe(true);
  });
});
