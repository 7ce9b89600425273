// Reader for Python training configs: torchtitan's `config_registry.py` (its format since the 2026-02 refactor,
// FORMATS.md A.0) and NeMo 2 recipes. Parsed with tree-sitter-python; only literal keyword arguments,
// attribute assignments and parameter defaults are read — no Python is executed.
import type { Node, Parser } from 'web-tree-sitter';
import { findFlavour } from '../../model/catalog/models';
import { DraftBuilder } from '../draft/draftBuilder';
import { lineIndex, rangeAt } from '../draft/positions';
import { bindNames, collectSettings, type PySetting } from '../python/collect';
import { dottedName } from '../python/literals';
import { mapNemoSettings } from '../python/nemoSettings';
import { loadParser } from '../shell/treeSitter';
import type { Settings } from './setting';
import { mapTorchtitanSettings } from './settings';
import type { ReadResult } from '../types';

let pythonParser: Parser | undefined;

/** Loads the Python grammar (`dist/tree-sitter-python.wasm`, from the tree-sitter-python package) once. */
export async function initPythonGrammar(wasm: { runtime: Uint8Array; python: Uint8Array }): Promise<void> {
  if (pythonParser) return;
  pythonParser = await loadParser(wasm.runtime, wasm.python);
}

type Dialect = 'torchtitan-python' | 'nemo-python';

function dialectOf(text: string, fileName: string): Dialect | undefined {
  if (!/\.py$/i.test(fileName)) return undefined;
  if (/\b(ParallelismConfig|TrainingConfig|Trainer\.Config)\s*\(/.test(text) || /\bfrom torchtitan\b/.test(text)) return 'torchtitan-python';
  if (/\bnemo\b/.test(text) && /\b(tensor_model_parallel_size|tensor_parallelism)\b/.test(text)) return 'nemo-python';
  return undefined;
}

/** torchtitan registries hold one config per function; the first full `….Config(…)` one is read. */
function chooseFunction(root: Node): { chosen: Node | undefined; others: string[] } {
  const candidates = root.namedChildren
    .map((node) => (node.type === 'decorated_definition' ? node.childForFieldName('definition') : node))
    .filter((node): node is Node => node?.type === 'function_definition' && /\b(training|parallelism)\s*=/.test(node.text));
  return { chosen: candidates[0], others: candidates.slice(1).map((node) => node.childForFieldName('name')?.text ?? '?') };
}

/** The model family: the registry's folder (`models/llama3/config_registry.py`), else the function name's
 * longest prefix that names a known family with this flavour (`llama3_70b_pp` → llama3). */
function familyFrom(fileName: string, functionName: string, flavour: unknown): string {
  const fromPath = /models[\\/]([\w-]+)[\\/][^\\/]*$/.exec(fileName)?.[1];
  if (fromPath) return fromPath;
  const parts = functionName.split('_');
  for (let length = parts.length - 1; length >= 1; length--) {
    const family = parts.slice(0, length).join('_');
    if (typeof flavour === 'string' && findFlavour(family, flavour)) return family;
  }
  return parts[0] ?? '';
}

function toTorchtitanSettings(found: readonly PySetting[], familyOf: (flavour: unknown) => string, rangeOf: (node: Node) => ReturnType<typeof rangeAt>): Settings {
  const settings: Settings = new Map();
  for (const setting of found) {
    const name = setting.path.at(-1) ?? '';
    const section = name === 'model_spec' ? 'model' : setting.path.at(-2);
    if (!section) continue;
    const key = name === 'model_spec' ? 'model.flavor' : `${section}.${name}`;
    const value = name === 'converters' ? converterNames(setting) : setting.literal.value;
    settings.set(key, { value, key: rangeOf(setting.key), valueRange: rangeOf(setting.value) });
  }
  const flavor = settings.get('model.flavor');
  if (flavor) settings.set('model.name', { value: familyOf(flavor.value), key: flavor.key, valueRange: flavor.valueRange });
  return settings;
}

/**
 * A converters list as names: string items as written (`["float8"]`, `["quantize.linear.mx"]`), a converter
 * config call by its class (`MXLinearConverter.Config(…)` → the MX converter, anything else Float8).
 */
function converterNames(setting: PySetting): unknown[] {
  const literal = setting.literal.value;
  if (Array.isArray(literal) && literal.length > 0 && literal.every((item) => typeof item === 'string')) return literal;
  const callee = setting.value.type === 'call' ? dottedName(setting.value).join('.') : '';
  return [/(^|\.)mx/i.test(callee) ? 'MXConverter' : 'float8'];
}

export function readTorchtitanPython(text: string, fileName: string): ReadResult | undefined {
  const dialect = dialectOf(text, fileName);
  if (!dialect) return undefined;
  const builder = new DraftBuilder();
  if (!pythonParser) {
    builder.report('error', 'reader/not-initialised', 'The Python grammar is not loaded yet (initPythonGrammar was not called).');
    return builder.result(dialect);
  }
  const index = lineIndex(text);
  const rangeOf = (node: Node): ReturnType<typeof rangeAt> => rangeAt(index, node.startIndex, node.endIndex);
  const tree = pythonParser.parse(text);
  if (!tree) return builder.result(dialect);
  try {
    const names = bindNames(tree.rootNode);
    if (dialect === 'nemo-python') {
      mapNemoSettings(builder, collectSettings(tree.rootNode, names, true), rangeOf);
    } else {
      const { chosen, others } = chooseFunction(tree.rootNode);
      if (!chosen) return builder.result(dialect);
      const functionName = chosen.childForFieldName('name')?.text ?? '';
      if (others.length > 0) {
        builder.report('info', 'python/several-configs', `This file defines ${others.length + 1} configs; values are read from \`${functionName}\` (also here: ${others.slice(0, 6).join(', ')}).`, rangeOf(chosen.childForFieldName('name') ?? chosen));
      }
      const settings = toTorchtitanSettings(collectSettings(chosen, names, false), (flavour) => familyFrom(fileName, functionName, flavour), rangeOf);
      mapTorchtitanSettings(builder, settings, 'torchtitan-python');
    }
    if (tree.rootNode.hasError) builder.report('info', 'syntax/python', 'Parts of this file are not valid Python; values there may be missed.');
  } catch (error) {
    builder.report('error', 'reader/internal', `Could not read this file: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    tree.delete();
  }
  return builder.result(dialect);
}
