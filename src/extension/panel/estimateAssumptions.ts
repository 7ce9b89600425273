// Where each design value came from, as rows for the panel (DESIGN.md §7 "honest numbers": assumptions are
// listed). Pure, no `vscode`. Values are file text or derived from it: the page writes them with textContent.
import type { Origin } from '../../config/types';
import { fieldValue, type Design, type FieldPath } from '../../model/design';
import type { EstimateAssumption } from '../../protocol';
import { describeOrigin } from '../../format';
import { FIELD_LABELS } from '../editor/hoverText';


/** Parallel layout first (what the user tunes), then the cluster, then the model's architecture. */
const SECTION_ORDER = ['plan', 'cluster', 'modelId', 'model'];

export function assumptionRows(design: Design | undefined, origins: Record<string, Origin>, whatIfFields: ReadonlySet<string> = new Set()): EstimateAssumption[] {
  const fields = Object.keys(origins);
  for (const field of whatIfFields) if (!fields.includes(field)) fields.push(field);
  const section = (field: string) => {
    const index = SECTION_ORDER.indexOf(field.split('.')[0] ?? field);
    return index < 0 ? SECTION_ORDER.length : index;
  };
  // A stable sort keeps completion's order within a section.
  const ordered = fields.map((field, index) => ({ field, index })).sort((a, b) => section(a.field) - section(b.field) || a.index - b.index);
  return ordered.map(({ field }) => {
    const origin = origins[field];
    const value = design ? valueText(fieldValue(design, field as FieldPath)) : '—';
    const label = FIELD_LABELS[field as FieldPath] ?? field;
    if (whatIfFields.has(field)) return { field, label, value, from: 'what-if', fromText: `what-if (the file says otherwise; ${describeOrigin(origin)})` };
    return { field, label, value, from: origin?.from ?? 'default', fromText: describeOrigin(origin) };
  });
}

function valueText(value: unknown): string {
  if (value === undefined) return '—';
  if (value === null) return 'unlimited';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([key, inner]) => `${key} ${valueText(inner)}`).join(', ');
  }
  return String(value);
}
