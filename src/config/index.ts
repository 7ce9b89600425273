// One entry point for every reader: `readConfig(text, fileName)` tries the readers that the file's extension
// allows, each of which decides by CONTENT whether the text is its format (a YAML that is not a training config
// answers undefined). Inputs no reader should parse (huge or binary) get one clear problem at once.
import { emptyDraft } from '../model/design';
import type { Problem } from '../model/problems';
import { readDeepspeedJson } from './json/deepspeedJson';
import { readHfConfig } from './json/hfConfig';
import { readMegatronShell } from './megatron/megatronShell';
import { readNemoYaml } from './nemo/nemoYaml';
import { MAX_NESTING, tooDeepAt, type NestingKind } from './draft/nesting';
import { readPlensYaml } from './plens/plensYaml';
import { readTorchtitanPython } from './torchtitan/torchtitanPython';
import { readTorchtitanToml } from './torchtitan/torchtitanToml';
import type { FormatId, ReadResult, Reader } from './types';

export type { FormatId, Origin, OriginKind, ReadResult, Reader, SourceMap } from './types';
export { completeDesign, DEFAULT_GPU, type Completion, type CompletionContext } from './completion/complete';
export { findDirectives, type Directive } from './completion/directives';
export { lineIndex, positionAt, rangeAt, type LineIndex } from './draft/positions';
export { initShellGrammar, readMegatronShell } from './megatron/megatronShell';
export { readTorchtitanToml } from './torchtitan/torchtitanToml';
export { initPythonGrammar, readTorchtitanPython } from './torchtitan/torchtitanPython';
export { readPlensYaml, readNemoYaml, readDeepspeedJson, readHfConfig };

/** Larger inputs are not parsed: no training config is this big, and parsing one could stall an editor. */
// Real training configs are a few kilobytes; the YAML parser reads well under 1 MB/s on a busy machine, so a
// limit of 1 MiB keeps every answer within seconds.
export const MAX_INPUT_CHARS = 1024 * 1024;

export interface FormatInfo {
  id: FormatId;
  label: string;
  /** File name endings this format is looked for in (content still decides). */
  extensions: readonly string[];
  read: Reader;
}

export const FORMATS: readonly FormatInfo[] = [
  { id: 'plens-yaml', label: 'Parallelism Lens design (*.plens.yaml)', extensions: ['.plens.yaml', '.plens.yml', '.yaml', '.yml'], read: readPlensYaml },
  { id: 'megatron-functest-yaml', label: 'Megatron-LM functional-test YAML', extensions: ['.yaml', '.yml'], read: readNemoYaml },
  { id: 'nemo-yaml', label: 'NeMo 1.x / NeMo-Framework-Launcher YAML', extensions: ['.yaml', '.yml'], read: readNemoYaml },
  { id: 'megatron-bridge-yaml', label: 'Megatron-Bridge ConfigContainer YAML', extensions: ['.yaml', '.yml'], read: readNemoYaml },
  { id: 'megatron-shell', label: 'Megatron-LM launch script', extensions: ['.sh', '.bash', '.slurm', '.sbatch', ''], read: readMegatronShell },
  { id: 'torchtitan-toml', label: 'torchtitan TOML (≤ v0.2.2)', extensions: ['.toml'], read: readTorchtitanToml },
  { id: 'torchtitan-python', label: 'torchtitan config_registry.py / NeMo 2 recipe', extensions: ['.py'], read: readTorchtitanPython },
  { id: 'deepspeed-json', label: 'DeepSpeed JSON config', extensions: ['.json', '.jsonc'], read: readDeepspeedJson },
  { id: 'hf-config-json', label: 'Hugging Face config.json', extensions: ['.json', '.jsonc'], read: readHfConfig },
];

/** Which nesting scan each kind of file gets; the shell reader bounds its own recursion. */
const NESTING_KIND: Record<string, NestingKind | undefined> = { yaml: 'yaml', json: 'json', toml: 'toml', python: 'python' };

/** Readers in the order they are tried for each kind of file; a reader's own detection picks the format. */
const BY_KIND: Record<string, readonly Reader[]> = {
  yaml: [readPlensYaml, readNemoYaml],
  json: [readDeepspeedJson, readHfConfig],
  toml: [readTorchtitanToml],
  shell: [readMegatronShell],
  python: [readTorchtitanPython],
};

function kindOf(fileName: string): keyof typeof BY_KIND | undefined {
  const lower = fileName.toLowerCase();
  if (/\.ya?ml$/.test(lower)) return 'yaml';
  if (/\.jsonc?$/.test(lower)) return 'json';
  if (/\.toml$/.test(lower)) return 'toml';
  if (/\.(sh|bash|slurm|sbatch)$/.test(lower)) return 'shell';
  if (/\.py$/.test(lower)) return 'python';
  return undefined;
}

/** The kind of an extension-less (or unknown) file, from its first characters. */
function sniffKind(text: string): keyof typeof BY_KIND | undefined {
  const head = text.slice(0, 4096).trimStart();
  if (head.startsWith('#!') || /(^|\n)\s*(export\s+\w+=|\w+=\(|torchrun|python\S*\s|srun|sbatch)/.test(head)) return 'shell';
  if (head.startsWith('{')) return 'json';
  if (/(^|\n)\[[\w.]+\]\s*(\n|$)/.test(head)) return 'toml';
  return 'yaml';
}

function failure(fileName: string, code: string, message: string): ReadResult {
  const kind = kindOf(fileName);
  const formats: Record<string, FormatId> = { json: 'deepspeed-json', toml: 'torchtitan-toml', shell: 'megatron-shell', python: 'torchtitan-python' };
  const format: FormatId = (kind ? formats[kind] : undefined) ?? 'plens-yaml';
  const problem: Problem = { severity: 'error', code, message };
  return { format, design: emptyDraft(), sourceMap: new Map(), problems: [problem] };
}

export function readConfig(text: string, fileName: string): ReadResult | undefined {
  // Binary first: a large binary file is better described as binary than as large.
  if (text.includes('\u0000')) return failure(fileName, 'input/binary', 'the file contains NUL bytes: it is binary, not a config file');
  if (text.length > MAX_INPUT_CHARS) {
    return failure(fileName, 'input/too-large', `${(text.length / 1024 / 1024).toFixed(1)} MB is larger than any training config plens reads (limit ${MAX_INPUT_CHARS / 1024 / 1024} MB); not parsed`);
  }
  const kind = kindOf(fileName) ?? sniffKind(text);
  const nesting = NESTING_KIND[kind ?? 'yaml'];
  const deepAt = nesting ? tooDeepAt(text, nesting) : undefined;
  if (deepAt !== undefined) {
    const line = text.slice(0, deepAt).split(/\r\n|\r|\n/).length;
    return failure(fileName, 'reader/too-deep', `the file nests more than ${MAX_NESTING} levels deep (line ${line}); no training config does, so it is not parsed`);
  }
  // A lone CR ends a line (old Mac files) as the editor shows it; the same length keeps every offset.
  const lines = text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
  for (const reader of BY_KIND[kind ?? 'yaml'] ?? []) {
    const result = safely(reader, lines, fileName);
    if (result) return result;
  }
  return undefined;
}

/** Readers never throw by contract; this turns a bug into a problem instead of a crashed hover. */
function safely(reader: Reader, text: string, fileName: string): ReadResult | undefined {
  try {
    return reader(text, fileName);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failure(fileName, 'reader/internal', `internal error while reading this file: ${message}`);
  }
}
