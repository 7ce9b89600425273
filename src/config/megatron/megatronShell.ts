// Reader for Megatron-LM (and Megatron-DeepSpeed) launch scripts. The script is parsed with tree-sitter-bash
// and walked as bash would run it with nothing set from outside (shell/walk.ts); the flags it passes are then
// mapped to a design (shell/megatronDraft.ts, which hands them to megatronKeys.ts as the YAML readers do).
// Nothing in the file is executed.
import type { Parser } from 'web-tree-sitter';
import { emptyDraft } from '../../model/design';
import { DraftBuilder } from '../draft/draftBuilder';
import { scanFlags } from '../shell/flags';
import { DETECTION, isFlagKnown } from './megatronFlags';
import { mapMegatronRun } from './megatronDraft';
import { rangeFactory } from '../shell/ranges';
import { loadParser } from '../shell/treeSitter';
import { runScript } from '../shell/walk';
import type { ReadResult } from '../types';

let shellParser: Parser | undefined;

/**
 * Loads web-tree-sitter and the bash grammar from bytes the caller read (CLI/extension: `dist/web-tree-sitter.wasm`
 * and `dist/tree-sitter-bash.wasm`). Call once before `readMegatronShell`; later calls are no-ops.
 */
export async function initShellGrammar(wasm: { runtime: Uint8Array; bash: Uint8Array }): Promise<void> {
  if (shellParser) return;
  shellParser = await loadParser(wasm.runtime, wasm.bash);
}

const OTHER_FORMATS = /\.(ya?ml|json|jsonc|toml|py|md|txt)$/i;

/** True when the text passes Megatron flags (checked without parsing). */
export function looksLikeMegatronShell(text: string, fileName: string): boolean {
  return !OTHER_FORMATS.test(fileName) && DETECTION.test(text.slice(0, 2_000_000));
}

export function readMegatronShell(text: string, fileName: string): ReadResult | undefined {
  if (!looksLikeMegatronShell(text, fileName)) return undefined;
  if (!shellParser) {
    return {
      format: 'megatron-shell',
      design: emptyDraft(),
      sourceMap: new Map(),
      problems: [{ severity: 'error', code: 'reader/not-initialised', message: 'The shell grammar is not loaded yet (initShellGrammar was not called).' }],
    };
  }
  const rangeOf = rangeFactory(text);
  const builder = new DraftBuilder();
  try {
    const tree = shellParser.parse(text);
    if (!tree) throw new Error('the parser returned no tree');
    try {
      const run = runScript(tree.rootNode, text, rangeOf);
      if (!run.flags.some(isFlagKnown)) {
        // Templates with `<placeholders>` are not bash; their flags are still worth reading, in file order.
        run.flags.push(...scanFlags(text, 0, text.length, run.env));
        run.problems.push({ severity: 'info', code: 'syntax/shell', message: 'The flags of this file were read in file order, without following its structure (it does not parse as a bash script that passes them).' });
      } else if (tree.rootNode.hasError) {
        run.problems.push({ severity: 'info', code: 'syntax/shell', message: 'Parts of this script are not valid bash; values there may be missed.' });
      }
      const companions = mapMegatronRun(run, builder, rangeOf);
      return { format: 'megatron-shell', design: builder.draft, sourceMap: builder.sourceMap, problems: [...run.problems, ...builder.problems], ...(companions.length > 0 ? { companions } : {}) };
    } finally {
      tree.delete();
    }
  } catch (error) {
    // Exceptions here are bugs, but a reader must still answer with a problem rather than throw.
    const message = error instanceof Error ? error.message : String(error);
    return { format: 'megatron-shell', design: builder.draft, sourceMap: builder.sourceMap, problems: [...builder.problems, { severity: 'error', code: 'reader/internal', message: `Could not read this script: ${message}` }] };
  }
}
