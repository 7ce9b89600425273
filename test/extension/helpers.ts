// Reads a test config through the editor's pipeline (the same path the extension takes).
import { readFileSync } from 'node:fs';
import { analyseText, type PipelineResult } from '../../src/extension/analysis/pipeline';

export function analyseData(name: string): PipelineResult {
  const text = readFileSync(`test/extension/data/${name}`, 'utf8');
  const result = analyseText({ text, fileName: name });
  if (!result) throw new Error(`${name} was not recognised`);
  return result;
}
