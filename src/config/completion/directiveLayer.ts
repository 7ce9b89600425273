// Turns a file's `plens:` directives into a design draft, the second layer of completion (DESIGN.md §2).
// `model=./config.json` pairs a launch script with a Hugging Face config: the caller's readFile supplies its text.
import type { FieldPath } from '../../model/design';
import type { Problem } from '../../model/problems';
import { parseScheduleId } from '../../model/schedule/index';
import type { Directive, DirectiveKey } from './directives';
import { DraftBuilder, parseChoice, parseCount, type Parsed } from '../draft/draftBuilder';
import type { ReadResult, Reader } from '../types';

const NUMERIC: Partial<Record<DirectiveKey, { path: FieldPath; min: number }>> = {
  nodes: { path: 'cluster.nodes', min: 1 },
  gpusPerNode: { path: 'cluster.gpusPerNode', min: 1 },
  worldSize: { path: 'cluster.worldSize', min: 1 },
  tp: { path: 'plan.tp', min: 1 },
  pp: { path: 'plan.pp', min: 1 },
  vpp: { path: 'plan.vpp', min: 1 },
  cp: { path: 'plan.cp', min: 1 },
  ep: { path: 'plan.ep', min: 1 },
  etp: { path: 'plan.etp', min: 1 },
  dp: { path: 'plan.dp', min: 1 },
  zero: { path: 'plan.zero', min: 0 },
  seqLength: { path: 'plan.seqLength', min: 1 },
  microBatchSize: { path: 'plan.microBatchSize', min: 1 },
  globalBatchSize: { path: 'plan.globalBatchSize', min: 1 },
  microbatches: { path: 'plan.microbatches', min: 1 },
};

export interface DirectiveLayer {
  builder: DraftBuilder;
  /** The model read from a `model=<path>` file, with the path for origins. */
  modelFile?: { path: string; read: ReadResult };
}

function isPathLike(value: string): boolean {
  return /[\\/]/.test(value) || /\.(json|ya?ml|toml)$/i.test(value);
}

export function directiveLayer(directives: Directive[], readFile: ((path: string) => string | { refused: string } | undefined) | undefined, readModelFile: Reader): DirectiveLayer {
  const builder = new DraftBuilder();
  const layer: DirectiveLayer = { builder };
  for (const directive of directives) {
    const { key, value, keyRange, valueRange } = directive;
    const numeric = NUMERIC[key];
    if (numeric) {
      const parsed = parseCount(value, numeric.min);
      if (key === 'zero' && parsed.ok && typeof parsed.value === 'number' && parsed.value > 3) {
        builder.report('error', 'value/invalid', `plens directive zero: ZeRO stage is 0–3, got ${parsed.value}`, valueRange, numeric.path);
      } else apply(builder, numeric.path, parsed, directive);
      continue;
    }
    switch (key) {
      case 'gpu':
        builder.set('cluster.gpu', value, keyRange, valueRange);
        break;
      case 'model':
        if (isPathLike(value)) layer.modelFile = readModel(builder, directive, readFile, readModelFile) ?? layer.modelFile;
        else builder.set('modelId', value, keyRange, valueRange);
        break;
      case 'schedule': {
        const id = parseScheduleId(value);
        if (id) builder.set('plan.schedule', id, keyRange, valueRange);
        else builder.report('error', 'value/invalid', `plens directive schedule: "${value}" is not a schedule`, valueRange, 'plan.schedule');
        break;
      }
      case 'precision':
        apply(builder, 'plan.precision', parseChoice(value, ['bf16', 'fp16', 'fp8'] as const), directive);
        break;
      case 'recompute':
        apply(builder, 'plan.recompute', parseChoice(value, ['none', 'selective', 'full'] as const), directive);
        break;
      case 'nodeLimit':
        if (/^(none|unlimited)$/i.test(value)) builder.set('plan.nodeLimit', null, keyRange, valueRange);
        else apply(builder, 'plan.nodeLimit', parseCount(value, 1), directive);
        break;
      default:
        break;
    }
  }
  return layer;
}

function apply(builder: DraftBuilder, path: FieldPath, parsed: Parsed<unknown>, directive: Directive): void {
  if (parsed.ok) builder.set(path, parsed.value, directive.keyRange, directive.valueRange);
  else builder.report('error', 'value/invalid', `plens directive ${directive.key}: ${parsed.message}`, directive.valueRange, path);
}

function readModel(builder: DraftBuilder, directive: Directive, readFile: ((path: string) => string | { refused: string } | undefined) | undefined, reader: Reader): DirectiveLayer['modelFile'] {
  const path = directive.value;
  const text = readFile?.(path);
  if (text === undefined || typeof text !== 'string') {
    const why = typeof text === 'object' ? `: ${text.refused}` : '';
    builder.report('error', 'directive/model-file', `cannot read the model file "${path}" named by the plens directive${why}`, directive.valueRange, 'modelId');
    return undefined;
  }
  const read = reader(text, path);
  if (!read) {
    builder.report('error', 'directive/model-file', `"${path}" is not a model config plens can read (expected a Hugging Face config.json)`, directive.valueRange, 'modelId');
    return undefined;
  }
  const errors = read.problems.filter((problem: Problem) => problem.severity === 'error');
  if (errors.length > 0) {
    builder.report('warning', 'directive/model-file', `"${path}": ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, directive.valueRange, 'modelId');
  }
  return { path, read };
}
