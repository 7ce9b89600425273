// Reader for torchtitan TOML job files (≤ v0.2.2, all three eras: FORMATS.md A.0/A.3), on toml-eslint-parser so
// that every key keeps its range. The settings are mapped by torchtitan/settings.ts, shared with the Python reader.
import { parseTOML } from 'toml-eslint-parser';
import { DraftBuilder } from '../draft/draftBuilder';
import { lineIndex, rangeAt } from '../draft/positions';
import type { Settings } from './setting';
import { mapTorchtitanSettings } from './settings';
import type { ReadResult } from '../types';

type TomlNode = ReturnType<typeof parseTOML>['body'][number]['body'][number];

const TORCHTITAN_SECTIONS = /^\s*\[(parallelism|experimental|activation_checkpoint|training|model|job)\]/m;
const TORCHTITAN_KEYS = /^\s*(flavor|seq_len|tensor_parallel_degree|data_parallel_shard_degree|local_batch_size)\s*=/m;

function looksLikeTorchtitan(text: string, fileName: string): boolean {
  if (!/\.toml$/i.test(fileName) && !/^\s*\[job\]/m.test(text)) return false;
  return TORCHTITAN_SECTIONS.test(text) && TORCHTITAN_KEYS.test(text);
}

/** A TOML value as plain data: numbers, strings, booleans, arrays of them; tables are left out. */
function plain(node: unknown, depth = 0): unknown {
  const value = node as { type?: string; value?: unknown; elements?: unknown[] };
  if (value.type === 'TOMLValue') return typeof value.value === 'bigint' ? Number(value.value) : value.value;
  if (value.type === 'TOMLArray' && depth < 8) return (value.elements ?? []).slice(0, 1000).map((element) => plain(element, depth + 1));
  return undefined;
}

export function readTorchtitanToml(text: string, fileName: string): ReadResult | undefined {
  if (!looksLikeTorchtitan(text, fileName)) return undefined;
  const index = lineIndex(text);
  const builder = new DraftBuilder();
  let ast: ReturnType<typeof parseTOML>;
  try {
    ast = parseTOML(text);
  } catch (error) {
    const at = (error as { index?: unknown }).index;
    const offset = typeof at === 'number' ? at : 0;
    const message = error instanceof Error ? error.message : String(error);
    builder.report('error', 'syntax/toml', `Not valid TOML: ${message}`, rangeAt(index, offset, offset + 1));
    return builder.result('torchtitan-toml');
  }
  const settings: Settings = new Map();
  const add = (path: (string | number)[], node: TomlNode): void => {
    if (node.type !== 'TOMLKeyValue') return;
    const name = [...path, ...node.key.keys.map((key) => ('name' in key ? key.name : key.value))].join('.');
    settings.set(name, {
      value: plain(node.value),
      key: rangeAt(index, node.key.range[0], node.key.range[1]),
      valueRange: rangeAt(index, node.value.range[0], node.value.range[1]),
    });
  };
  for (const top of ast.body) {
    for (const node of top.body) {
      if (node.type === 'TOMLTable') for (const entry of node.body) add(node.resolvedKey, entry);
      else add([], node);
    }
  }
  try {
    mapTorchtitanSettings(builder, settings, 'torchtitan-toml');
  } catch (error) {
    builder.report('error', 'reader/internal', `Could not read this file: ${error instanceof Error ? error.message : String(error)}`);
  }
  return builder.result('torchtitan-toml');
}
