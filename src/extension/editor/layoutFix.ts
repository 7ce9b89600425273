// The quick fix that writes the most balanced pipeline layout for the file's PP × VPP (model/balancedLayout.ts)
// into the file, in the file's own spelling: replacing a layout the file already states, or adding the layout key
// next to the pipeline size. Pure, no `vscode`: it returns offsets and text, and only for formats whose layout key
// Megatron reads (a NeMo 1.x or torchtitan file has no such key). A file that states its split another way
// (first/last stage layers, accounting flags) is left alone: Megatron refuses a layout next to those.
import type { FormatId, SourceMap } from '../../config/types';
import { balancedLayoutString } from '../../model/balancedLayout';
import type { Design } from '../../model/design';
import { stageCount } from '../../model/layoutChecks';
import { layoutSource } from '../../model/pipelineLayout';

export interface TextEdit {
  startOffset: number;
  endOffset: number;
  text: string;
}

export interface LayoutFix {
  title: string;
  edit: TextEdit;
}

/** How each format spells the layout key, and whether it goes on a line of its own (YAML) or after the size (shell). */
const LAYOUT_KEYS: Partial<Record<FormatId, { key: string; line: boolean }>> = {
  'plens-yaml': { key: 'layout: ', line: true },
  'megatron-bridge-yaml': { key: 'pipeline_model_parallel_layout: ', line: true },
  'megatron-functest-yaml': { key: '--pipeline-model-parallel-layout: ', line: true },
  'megatron-shell': { key: '--pipeline-model-parallel-layout ', line: false },
};

export function balancedLayoutFix(format: FormatId, design: Design, sourceMap: SourceMap, text: string): LayoutFix | undefined {
  const spelling = LAYOUT_KEYS[format];
  const { pp } = design.plan;
  if (!spelling || pp <= 1) return undefined;
  const source = layoutSource(design.plan);
  if (source !== 'even' && source !== 'layout') return undefined;
  const stages = stageCount(design);
  const layout = balancedLayoutString(design, pp, stages / pp);
  const quoted = `"${layout}"`;
  const title = `Use the most balanced layout for PP ${pp} × ${stages / pp}: ${layout}`;
  const stated = sourceMap.get('plan.layout');
  if (source === 'layout') {
    if (!stated || typeof design.plan.layout === 'string' && design.plan.layout.replace(/\s/g, '') === layout) return undefined;
    return { title, edit: { startOffset: stated.value.startOffset, endOffset: stated.value.endOffset, text: quoted } };
  }
  const size = sourceMap.get('plan.pp');
  // Only next to the size's own key: a size set through a variable (`PP=16`) is no place for a flag.
  if (!size || !/^(--)?(pipeline[-_]model[-_]parallel[-_]size|pp)\b/.test(text.slice(size.key.startOffset, size.key.endOffset))) return undefined;
  if (!spelling.line) return { title, edit: { startOffset: size.value.endOffset, endOffset: size.value.endOffset, text: ` ${spelling.key}${quoted}` } };
  // A new line after the size's line, indented like its key.
  const lineEnd = text.indexOf('\n', size.value.endOffset);
  const lineStart = text.lastIndexOf('\n', size.key.startOffset - 1) + 1;
  const indent = text.slice(lineStart, size.key.startOffset);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const at = lineEnd < 0 ? text.length : lineEnd + 1;
  return { title, edit: { startOffset: at, endOffset: at, text: `${lineEnd < 0 ? '\n' : ''}${indent}${spelling.key}${quoted}\n` } };
}
