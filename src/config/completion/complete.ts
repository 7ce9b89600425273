// Completing a design (DESIGN.md §2): what the file lacks comes from, in order, CLI flags (which override the
// file), the file, its `plens:` directives, the workspace plens.yaml, the settings, the catalogs, documented
// defaults, and derivations (dp = world / (tp·pp·cp), microbatches = global / (micro·dp), world = nodes·gpusPerNode,
// headDim = hidden / heads). Every value keeps its origin; symbolic values nothing resolves are reported.
import { CALIBRATION_KEYS, type Calibration } from '../../model/cost/calibration';
import { ACTIVATION_OFFLOAD_MODULES, type ActivationOffloadModule, type ClusterSpec, type Design, type DesignDraft, emptyDraft, FP8_RECIPES, type FieldPath, type ModelArch, MOMENT_DTYPES, type ParallelPlan, RECOMPUTE_MODULES, type RecomputeModule, type ScheduleId, type TrainingFramework, type ZeroStage } from '../../model/design';
import { findGpu } from '../../model/catalog/gpus';
import type { Problem } from '../../model/problems';
import { SCHEDULE_IDS } from '../../model/schedule/index';
import { parseLayoutList, parseLayoutString } from '../../model/pipelineLayout';
import { assumed, completeModel, modelAsRead } from './completeModel';
import { howToComplete } from './howToComplete';
import { readHostfile } from './hostfile';
import { directiveLayer } from './directiveLayer';
import { findDirectives } from './directives';
import { draftValue, isBoolean, isNumber, isNumberOrNull, isOneOf, isString, Resolver, type Layer } from './layers';
import type { CompanionFile, FormatId, Origin, ReadResult, Reader } from '../types';

export interface CompletionContext {
  /** The text of the file being completed, for its `plens:` directives (omit to skip directives). */
  text?: string;
  /**
   * Reads a file named by a directive (`model=./config.json`), relative to the file; undefined when unreadable, or
   * why the caller refused to read it (outside the workspace, not a regular file, too large), said at the directive.
   */
  readFile?: (relativePath: string) => string | { refused: string } | undefined;
  /** Reads a model file's text; the caller passes readConfig (kept a parameter so this module needs no reader). */
  readModelFile?: Reader;
  /** Values given on the command line: they override the file (CONTRACT.md `plens estimate`). */
  flags?: DesignDraft;
  /** A parsed plens.yaml at the workspace root. */
  workspace?: DesignDraft;
  /** The editor's settings, as a draft. */
  settings?: DesignDraft;
}

export interface Completion {
  design: Design | undefined;
  origins: Record<string, Origin>;
  /** What reading and completing found; the layout rules of the design are the model's (see designProblems.ts). */
  problems: Problem[];
  /** Fields the file set symbolically and nothing resolved: null in the design JSON (CONTRACT.md). */
  unresolved: FieldPath[];
  /**
   * When there is no design to estimate (the model is missing or incomplete): every value that was read or
   * completed, the model only as far as something states it (CONTRACT.md `plens estimate`, `design`).
   */
  partial?: PartialDesign;
}

export interface PartialDesign {
  model: Partial<ModelArch>;
  plan: ParallelPlan;
  cluster: ClusterSpec;
  calibration?: Partial<Calibration>;
}

/** The GPU assumed when nothing names one: the most common training GPU of the catalog. */
export const DEFAULT_GPU = 'H100-SXM';
const DEFAULT_GPUS_PER_NODE = 8;

export function completeDesign(read: ReadResult, context: CompletionContext = {}): Completion {
  const { layers, problems: directiveProblems } = buildLayers(read, context);
  const resolver = new Resolver(layers);
  const model = completeModel(resolver, () => read.sourceMap.get('modelId')?.value, read.format);
  const cluster = completeCluster(resolver, read.format);
  const plan = { ...completePlan(resolver, cluster, read.format), ...completeCostSettings(resolver, read.format) };
  const calibration = completeCalibration(resolver);
  const design = model ? { model, plan, cluster, ...(calibration ? { calibration } : {}) } : undefined;
  const partial: PartialDesign | undefined = design ? undefined : { model: modelAsRead(resolver), plan, cluster, ...(calibration ? { calibration } : {}) };
  const shown = design ?? partial;
  resolver.reportUnresolved((path) => (shown ? draftValue(shown as unknown as DesignDraft, path) : undefined));
  return {
    design,
    origins: resolver.origins,
    // Without a design the assumptions made along the way are noise next to the one error that matters.
    problems: [...read.problems, ...directiveProblems, ...resolver.problems.filter((p) => design || p.code !== 'value/defaulted')],
    unresolved: resolver.unresolved,
    ...(partial ? { partial } : {}),
  };
}

function buildLayers(read: ReadResult, context: CompletionContext): { layers: Layer[]; problems: Problem[] } {
  const layers: Layer[] = [];
  const problems: Problem[] = [];
  if (context.flags) layers.push({ kind: 'flag', draft: context.flags, detail: 'command-line flag' });
  layers.push({ kind: 'file', draft: read.design, ranges: read.sourceMap });
  for (const companion of read.companions ?? []) {
    const found = companionLayer(companion, context);
    if ('layer' in found) layers.push(found.layer);
    else problems.push(found.problem);
  }
  if (context.text !== undefined) {
    const found = findDirectives(context.text);
    const layer = directiveLayer(found.directives, context.readFile, context.readModelFile ?? (() => undefined));
    problems.push(...found.problems, ...layer.builder.problems);
    layers.push({ kind: 'directive', draft: layer.builder.draft, ranges: layer.builder.sourceMap, detail: 'plens directive' });
    if (layer.modelFile) {
      const { path, read: modelRead } = layer.modelFile;
      layers.push({ kind: 'directive', draft: { model: modelRead.design.model, plan: {}, cluster: {}, ...(modelRead.design.modelId !== undefined ? { modelId: modelRead.design.modelId } : {}) }, detail: `model file ${path}` });
    }
  }
  if (context.workspace) layers.push({ kind: 'workspace', draft: context.workspace, detail: 'workspace plens.yaml' });
  if (context.settings) layers.push({ kind: 'setting', draft: context.settings, detail: 'settings' });
  return { layers, problems };
}

/**
 * The DeepSpeed config a Megatron-DeepSpeed script names (`--deepspeed_config ds.json`): its ZeRO stage, batch
 * sizes and precision complete what the script leaves out, below the script's own flags. Read through the caller's
 * guarded reading (inside the workspace, bounded); a file that cannot be read is said at the flag.
 */
function companionLayer(companion: CompanionFile, context: CompletionContext): { layer: Layer } | { problem: Problem } {
  if (companion.kind === 'hostfile') return hostfileLayer(companion, context);
  const at = { range: companion.range };
  const notRead = (why: string): { problem: Problem } => ({
    problem: { severity: 'info', code: 'config/companion-not-read', message: `${companion.path}: ${why}; its ZeRO stage and batch sizes come from the script, directives or defaults`, ...at },
  });
  if (!context.readFile || !context.readModelFile) return notRead('the DeepSpeed config this script names is not read here');
  const text = context.readFile(companion.path);
  if (text === undefined) return notRead('the DeepSpeed config this script names was not found');
  if (typeof text !== 'string') return { problem: { severity: 'warning', code: 'config/companion-not-read', message: text.refused, ...at } };
  const companionRead = context.readModelFile(text, companion.path);
  if (companionRead?.format !== 'deepspeed-json') return notRead('not a DeepSpeed config');
  const { plan, cluster } = companionRead.design;
  return { layer: { kind: 'file', draft: { ...emptyDraft(), plan, cluster }, detail: `DeepSpeed config ${companion.path}` } };
}

/**
 * The hostfile a Megatron-DeepSpeed script launches with, when the script states no node or GPU count: its hosts
 * and slots are the world size. Hostfiles usually live outside the workspace (`/job/hostfile`), so one that
 * cannot be read is an info at the flag, and the world size stays assumed.
 */
function hostfileLayer(companion: CompanionFile, context: CompletionContext): { layer: Layer } | { problem: Problem } {
  const notRead = (why: string, severity: Problem['severity'] = 'info'): { problem: Problem } => ({
    problem: { severity, code: 'config/companion-not-read', message: `${companion.path}: ${why}; the world size is assumed unless a directive, plens.yaml or setting gives the nodes`, range: companion.range },
  });
  if (!context.readFile) return notRead('the hostfile this script launches with is not read here');
  const text = context.readFile(companion.path);
  if (text === undefined) return notRead('the hostfile this script launches with was not found');
  if (typeof text !== 'string') return notRead(text.refused);
  const hostfile = readHostfile(text);
  if ('error' in hostfile) return notRead(`not a DeepSpeed hostfile (${hostfile.error})`, 'warning');
  return { layer: { kind: 'file', draft: { ...emptyDraft(), cluster: hostfile.cluster }, detail: `hostfile ${companion.path}: ${hostfile.hosts} hosts, ${hostfile.gpus} GPUs` } };
}

function completeCluster(resolver: Resolver, format: FormatId): ClusterSpec {
  const named = resolver.pick('cluster.gpu', isString);
  const gpuName = named ?? assumed(resolver, 'cluster.gpu', DEFAULT_GPU, `no GPU named; ${howToComplete(format, ['gpu'])}`);
  const gpu = findGpu(gpuName);
  if (!gpu) {
    resolver.problems.push({ severity: 'error', code: 'cluster/unknown-gpu', field: 'cluster.gpu', message: `"${gpuName}" is not a GPU plens knows; run \`plens catalog gpus\` for the list`, ...rangeOf(resolver, 'cluster.gpu') });
  }
  const gpusPerNode = resolver.pick('cluster.gpusPerNode', isNumber) ??
    resolver.fill('cluster.gpusPerNode', gpu?.gpusPerNode ?? DEFAULT_GPUS_PER_NODE, gpu ? 'catalog' : 'default', gpu ? `NVLink domain of ${gpu.id}` : 'an 8-GPU node');
  const cluster: ClusterSpec = { gpu: gpu?.id ?? gpuName, gpusPerNode, nodes: 0, worldSize: 0 };
  // World size and node count are finished by completePlan, which knows the layout when the file gives no size.
  const nodes = resolver.pick('cluster.nodes', isNumber);
  const worldSize = resolver.pick('cluster.worldSize', isNumber);
  if (nodes !== undefined) cluster.nodes = nodes;
  if (worldSize !== undefined) cluster.worldSize = worldSize;
  for (const key of ['nvlinkGBps', 'ibGBps', 'hbmGB', 'peakTflops', 'hostMemoryGB', 'hostLinkGBps'] as const) {
    const value = resolver.pick(`cluster.${key}`, isNumber);
    if (value !== undefined) cluster[key] = value;
  }
  return cluster;
}

/** The framework a file format implies: torchtitan's job configs run on torchtitan; the rest say nothing. */
const FORMAT_FRAMEWORK: Partial<Record<FormatId, TrainingFramework>> = { 'torchtitan-toml': 'torchtitan', 'torchtitan-python': 'torchtitan' };

function completePlan(resolver: Resolver, cluster: ClusterSpec, format: FormatId): ParallelPlan {
  const size = (path: FieldPath, fallback: number, why: string): number => resolver.pick(path, isNumber) ?? resolver.fill(path, fallback, 'default', why);
  const tp = size('plan.tp', 1, 'no tensor parallelism');
  const pp = size('plan.pp', 1, 'no pipeline parallelism');
  const cp = size('plan.cp', 1, 'no context parallelism');
  const ep = size('plan.ep', 1, 'no expert parallelism');
  const etp = size('plan.etp', 1, 'expert tensor parallelism 1 (Megatron default)');
  const layout = pickLayout(resolver);
  const vpp = resolver.pick('plan.vpp', isNumber) ?? layoutChunks(resolver, layout, pp) ?? resolver.fill('plan.vpp', 1, 'default', 'not interleaved');
  const zero = resolver.pick('plan.zero', isZeroStage) ??
    resolver.fill('plan.zero', 0 as ZeroStage, 'default', 'no optimizer sharding (Megatron without --use-distributed-optimizer)');
  const sequenceParallel = resolver.pick('plan.sequenceParallel', isBoolean) ?? resolver.fill('plan.sequenceParallel', false, 'default', 'off (Megatron default)');
  const precision = resolver.pick('plan.precision', isOneOf(['bf16', 'fp16', 'fp8'] as const)) ?? resolver.fill('plan.precision', 'bf16' as const, 'default', 'BF16 mixed precision');
  const recomputeModules = resolver.pick('plan.recomputeModules', isRecomputeModuleList);
  const activationFp8InputStore = resolver.pick('plan.activationFp8InputStore', isBoolean);
  const formatFramework = FORMAT_FRAMEWORK[format];
  const framework = resolver.pick('plan.framework', isOneOf(['megatron', 'torchtitan'] as const)) ??
    (formatFramework ? resolver.fill('plan.framework', formatFramework, 'derived', `a ${format} file`) : undefined);
  // Megatron's recompute modules take effect under selective granularity, which naming them implies. torchtitan
  // checkpoints selectively unless told otherwise; up to v0.2.2 (TOML) every second layer (selective_ac_option "2").
  const givenRecompute = resolver.pick('plan.recompute', isOneOf(['none', 'selective', 'full'] as const));
  const recompute = givenRecompute ??
    (recomputeModules ? resolver.fill('plan.recompute', 'selective' as const, 'derived', 'recompute modules are given')
      : framework === 'torchtitan' ? resolver.fill('plan.recompute', 'selective' as const, 'default', 'torchtitan\'s default activation_checkpoint.mode')
        : resolver.fill('plan.recompute', 'none' as const, 'default', 'no recomputation'));
  const recomputeLayerInterval = resolver.pick('plan.recomputeLayerInterval', isNumber) ??
    (format === 'torchtitan-toml' && givenRecompute === undefined && recompute === 'selective'
      ? resolver.fill('plan.recomputeLayerInterval', 2, 'default', 'torchtitan ≤ v0.2.2 selective_ac_option "2": every second layer')
      : undefined);
  const schedule: ScheduleId = resolver.pick('plan.schedule', isOneOf(SCHEDULE_IDS)) ??
    resolver.fill('plan.schedule', vpp > 1 ? 'interleaved-1f1b' : '1f1b', 'default', vpp > 1 ? 'interleaved 1F1B, as the virtual pipeline size asks' : '1F1B (Megatron and DeepSpeed default)');
  const nodeLimit = resolver.pick('plan.nodeLimit', isNumberOrNull) ?? resolver.fill('plan.nodeLimit', null, 'default', 'unlimited');
  const seqLength = resolver.pick('plan.seqLength', isNumber) ?? assumed(resolver, 'plan.seqLength', 4096, 'a common pre-training length');
  const givenMicroBatchSize = resolver.pick('plan.microBatchSize', isNumber);

  const modelParallel = tp * pp * cp;
  let dp = resolver.pick('plan.dp', isNumber);
  const expertReplicas = smallestExpertDp(tp * cp, ep * etp);
  const assumedForExperts = finishWorld(resolver, cluster, modelParallel, dp, expertReplicas);
  dp ??= assumedForExperts
    ? resolver.fill('plan.dp', expertReplicas, 'default', assumedForExperts)
    : resolver.fill('plan.dp', Math.max(1, Math.floor(cluster.worldSize / modelParallel)), 'derived', 'world size / (tp·pp·cp)');

  let globalBatchSize = resolver.pick('plan.globalBatchSize', isNumber);
  let microbatches = resolver.pick('plan.microbatches', isNumber);
  // DeepSpeed: any two of train batch, micro-batch and accumulation steps determine the third (FORMATS.md A.5).
  const microBatchSize = givenMicroBatchSize ?? (globalBatchSize !== undefined && microbatches !== undefined
    ? resolver.fill('plan.microBatchSize', Math.max(1, Math.floor(globalBatchSize / (microbatches * dp))), 'derived', 'global batch / (micro-batches · dp)')
    : resolver.fill('plan.microBatchSize', 1, 'default', 'one sequence per micro-batch'));
  if (globalBatchSize !== undefined && microbatches === undefined) {
    microbatches = resolver.fill('plan.microbatches', Math.max(1, Math.floor(globalBatchSize / (microBatchSize * dp))), 'derived', 'global batch / (micro-batch · dp)');
  } else if (microbatches === undefined) {
    // DualPipe needs m ≥ 2p and interleaving works best with m a multiple of p: 4p satisfies every schedule.
    microbatches = assumed(resolver, 'plan.microbatches', 4 * pp, '4 × pp, enough for every schedule');
  }
  globalBatchSize ??= resolver.fill('plan.globalBatchSize', microbatches * microBatchSize * dp, 'derived', 'micro-batches · micro-batch · dp');

  return {
    tp, pp, vpp, cp, ep, etp, dp, zero, sequenceParallel, seqLength, microBatchSize, globalBatchSize,
    microbatches, schedule, recompute, precision, nodeLimit,
    ...(recomputeModules ? { recomputeModules } : {}),
    ...layout,
    ...(activationFp8InputStore !== undefined ? { activationFp8InputStore } : {}),
    ...(framework ? { framework } : {}),
    ...(recomputeLayerInterval !== undefined ? { recomputeLayerInterval } : {}),
  };
}

type LayoutOptions = Pick<ParallelPlan, 'layout' | 'firstStageLayers' | 'lastStageLayers' | 'accountForEmbedding' | 'accountForLoss' | 'embeddingWeight' | 'lossWeight'>;

/** The pipeline layout options (model/pipelineLayout.ts), as given; their rules are the model's checks. */
function pickLayout(resolver: Resolver): LayoutOptions {
  const out: LayoutOptions = {};
  const layout = resolver.pick('plan.layout', isLayout);
  if (layout !== undefined) out.layout = layout;
  for (const key of ['firstStageLayers', 'lastStageLayers', 'embeddingWeight', 'lossWeight'] as const) {
    const value = resolver.pick(`plan.${key}`, isNumber);
    if (value !== undefined) out[key] = value;
  }
  for (const key of ['accountForEmbedding', 'accountForLoss'] as const) {
    const value = resolver.pick(`plan.${key}`, isBoolean);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

const isLayout = (value: unknown): value is string | string[] =>
  typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));

/** Megatron derives the virtual pipeline size from a layout string: its stages / pp (arguments.py). */
function layoutChunks(resolver: Resolver, layout: Pick<ParallelPlan, 'layout'>, pp: number): number | undefined {
  if (layout.layout === undefined) return undefined;
  const parsed = typeof layout.layout === 'string' ? parseLayoutString(layout.layout) : parseLayoutList(layout.layout);
  if (!parsed.ok || parsed.stages.length % pp !== 0) return undefined;
  return resolver.fill('plan.vpp', parsed.stages.length / pp, 'derived', 'stages of the pipeline layout / pp');
}

/**
 * The FP8 recipe, torch.compile and each dimension's overlap, with each framework's default where the file is
 * silent (COSTMODEL.md §7 item 4): Megatron's flags default to no overlap; NeMo 2 and Megatron-Bridge overlap the
 * DP grad reduce and param gather by default and Transformer Engine's CP ring overlaps attention; torchtitan's ring
 * attention overlaps, and its FSDP prefetch is the window rule of cost/comm/dpOverlap.ts.
 */
function completeCostSettings(resolver: Resolver, format: FormatId): Partial<ParallelPlan> {
  const plan: Partial<ParallelPlan> = {};
  const fp8Recipe = resolver.pick('plan.fp8Recipe', isOneOf(FP8_RECIPES));
  if (fp8Recipe !== undefined) plan.fp8Recipe = fp8Recipe;
  else if (format === 'torchtitan-toml' || format === 'torchtitan-python') plan.fp8Recipe = resolver.fill('plan.fp8Recipe', 'tensorwise' as const, 'default', 'torchao Float8 default (tensorwise dynamic scaling)');
  const compile = resolver.pick('plan.compile', isBoolean);
  if (compile !== undefined) plan.compile = compile;
  const gradReduceInFp32 = resolver.pick('plan.gradReduceInFp32', isBoolean);
  if (gradReduceInFp32 !== undefined) plan.gradReduceInFp32 = gradReduceInFp32;
  // Offloading, as read (model/cost/memory/offload.ts); absent means nothing is offloaded. Shard-group replicas and hpZ groups likewise.
  for (const key of ['activationOffloadLayers', 'optimizerOffloadFraction', 'dataParallelReplicas', 'hpzPartitionSize', 'expertCapacityFactor'] as const) {
    const value = resolver.pick(`plan.${key}`, isNumber);
    if (value !== undefined) plan[key] = value;
  }
  const offloadModules = resolver.pick('plan.activationOffloadModules', isActivationOffloadModuleList);
  if (offloadModules !== undefined) plan.activationOffloadModules = offloadModules;
  const parameterOffload = resolver.pick('plan.parameterOffload', isBoolean);
  if (parameterOffload !== undefined) plan.parameterOffload = parameterOffload;
  // The precision-aware optimizer's state dtypes (model/cost/memory/memory.ts stateBytesOf), as read.
  for (const key of ['precisionAwareOptimizer', 'optimizerParamRemainders', 'padExpertsToCapacity', 'optimizerOffloadOverlap'] as const) {
    const value = resolver.pick(`plan.${key}`, isBoolean);
    if (value !== undefined) plan[key] = value;
  }
  const mainParams = resolver.pick('plan.optimizerMainParams', isOneOf(['fp32', 'fp16'] as const));
  if (mainParams !== undefined) plan.optimizerMainParams = mainParams;
  for (const key of ['optimizerExpAvg', 'optimizerExpAvgSq'] as const) {
    const value = resolver.pick(`plan.${key}`, isOneOf(MOMENT_DTYPES));
    if (value !== undefined) plan[key] = value;
  }
  const megatronFlags = format === 'megatron-shell' || format === 'megatron-functest-yaml';
  const nemo = format === 'nemo-yaml' || format === 'megatron-bridge-yaml' || format === 'nemo-python';
  const torchtitan = format === 'torchtitan-toml' || format === 'torchtitan-python';
  const defaults: Partial<Record<OverlapField, [boolean, string]>> = megatronFlags
    ? { tpCommOverlap: [false, 'Megatron default'], overlapGradReduce: [false, 'Megatron default (--overlap-grad-reduce not given)'], overlapParamGather: [false, 'Megatron default'] }
    : nemo
      ? { overlapGradReduce: [true, 'NeMo / Megatron-Bridge DDP default'], overlapParamGather: [true, 'NeMo / Megatron-Bridge DDP default'], cpCommOverlap: [true, 'Transformer Engine ring attention overlaps'] }
      : torchtitan ? { cpCommOverlap: [true, 'torchtitan ring attention overlaps'] } : {};
  for (const field of OVERLAP_FIELDS) {
    const given = resolver.pick(`plan.${field}`, isBoolean);
    const fallback = defaults[field];
    if (given !== undefined) plan[field] = given;
    else if (fallback) plan[field] = resolver.fill(`plan.${field}`, fallback[0], 'default', fallback[1]);
  }
  return plan;
}

type OverlapField = 'tpCommOverlap' | 'epCommOverlap' | 'cpCommOverlap' | 'overlapGradReduce' | 'overlapParamGather';
const OVERLAP_FIELDS: readonly OverlapField[] = ['tpCommOverlap', 'epCommOverlap', 'cpCommOverlap', 'overlapGradReduce', 'overlapParamGather'];

/** The calibration values some layer sets (the rest come from the catalog inside the model, which says so). */
function completeCalibration(resolver: Resolver): Partial<Calibration> | undefined {
  const calibration: Partial<Calibration> = {};
  for (const key of CALIBRATION_KEYS) {
    const value = resolver.pick(`calibration.${key}`, isNumber);
    if (value !== undefined) calibration[key] = value;
  }
  return Object.keys(calibration).length > 0 ? calibration : undefined;
}

const isRecomputeModuleList = (value: unknown): value is RecomputeModule[] =>
  Array.isArray(value) && value.every((item) => (RECOMPUTE_MODULES as readonly unknown[]).includes(item));
const isActivationOffloadModuleList = (value: unknown): value is ActivationOffloadModule[] =>
  Array.isArray(value) && value.every((item) => (ACTIVATION_OFFLOAD_MODULES as readonly unknown[]).includes(item));

/**
 * Megatron regroups one pipeline stage's tp·cp·dp GPUs as ETP × EP × expert-DP, so EP·ETP must divide tp·cp·dp:
 * the smallest DP that allows it is EP·ETP / gcd(tp·cp, EP·ETP) (1 for a dense model or EP within tp·cp).
 */
function smallestExpertDp(tpCp: number, expertGroup: number): number {
  let a = tpCp;
  let b = expertGroup;
  while (b !== 0) [a, b] = [b, a % b];
  return expertGroup / a;
}

/**
 * World size from nodes, else from the layout; nodes from the world size. With no size anywhere (left to the
 * launcher) the world is the fewest GPUs the layout is valid on: one replica, or the smallest DP that EP needs,
 * whose reason is returned so DP can carry it.
 */
function finishWorld(resolver: Resolver, cluster: ClusterSpec, modelParallel: number, dp: number | undefined, expertReplicas: number): string | undefined {
  let forExperts: string | undefined;
  if (cluster.worldSize === 0) {
    if (cluster.nodes > 0) cluster.worldSize = resolver.fill('cluster.worldSize', cluster.nodes * cluster.gpusPerNode, 'derived', 'nodes · gpusPerNode');
    else if (dp !== undefined) cluster.worldSize = resolver.fill('cluster.worldSize', modelParallel * dp, 'derived', 'tp·pp·cp·dp');
    else if (expertReplicas > 1) {
      forExperts = `no cluster size given: the smallest DP (${expertReplicas}) for which EP·ETP divides tp·cp·dp, as Megatron's expert layout needs`;
      cluster.worldSize = assumed(resolver, 'cluster.worldSize', modelParallel * expertReplicas, forExperts);
    } else cluster.worldSize = assumed(resolver, 'cluster.worldSize', modelParallel, 'no cluster size given: one data-parallel replica (tp·pp·cp)');
  }
  if (cluster.nodes === 0) cluster.nodes = resolver.fill('cluster.nodes', Math.max(1, Math.ceil(cluster.worldSize / cluster.gpusPerNode)), 'derived', 'world size / gpusPerNode');
  return forExperts;
}

const isZeroStage = (value: unknown): value is ZeroStage => value === 0 || value === 1 || value === 2 || value === 3;

function rangeOf(resolver: Resolver, path: FieldPath): { range?: NonNullable<Origin['range']> } {
  const range = resolver.origins[path]?.range;
  return range ? { range } : {};
}
