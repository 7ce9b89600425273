// The panel's Export as one self-contained HTML file: the figures as PNG data URLs the page drew, every table as
// HTML text, the origin of every value. No script and no external resource, and a policy that forbids both, so
// the report reads the same with scripts disabled and offline. Every text from a config is escaped. Pure.
import type { EstimateComparison, EstimateView, ReportImageId, ScheduleComparisonMessage } from '../../protocol';

export interface ReportInput {
  view: EstimateView;
  /** PNG data URLs by figure; anything else is dropped (reportImage). */
  images: Partial<Record<ReportImageId, string>>;
  schedules?: ScheduleComparisonMessage;
  comparison?: EstimateComparison;
  /** ISO time the report was written, and the extension's version. */
  generatedAt: string;
  version: string;
}

/** At most this many characters per image: a 4k canvas as PNG stays well below. */
export const MAX_IMAGE_CHARS = 16 * 1024 * 1024;

const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;

/** The image if it is a PNG data URL of bounded size; a page is not trusted to have sent one. */
export function reportImage(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_IMAGE_CHARS && PNG_DATA_URL.test(value) ? value : undefined;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const e = escapeHtml;

function table(caption: string, header: string[], rows: string[][], className = ''): string {
  const head = header.map((h) => `<th scope="col">${e(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, index) => (index === 0 ? `<th scope="row">${e(cell)}</th>` : `<td>${e(cell)}</td>`)).join('')}</tr>`).join('\n');
  return `<table${className ? ` class="${className}"` : ''}><caption>${e(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function figure(image: string | undefined, alt: string, caption: string): string {
  const src = reportImage(image);
  if (!src) return `<p class="note">(${e(caption)}: not drawn in the panel when the report was made.)</p>`;
  return `<figure><img src="${src}" alt="${e(alt)}"><figcaption>${e(caption)}</figcaption></figure>`;
}

function estimateSections(view: EstimateView, images: ReportInput['images']): string[] {
  const sections: string[] = [];
  if (view.unavailable) sections.push(`<p class="error">No estimate: ${e(view.unavailable)}</p>`);
  if (view.figures.length > 0) {
    sections.push(table('Headline', ['Figure', 'Value', 'Note'], view.figures.map((f) => [f.label, f.text, f.note ?? ''])));
  }
  const memory = view.memory;
  if (memory) {
    const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)}`;
    sections.push('<h2>Memory per GPU, by pipeline rank</h2>');
    sections.push(figure(images.memory, 'Stacked bars of memory per GPU for each pipeline rank against the HBM line', `Memory per GPU against the GPU's ${memory.capacityText}`));
    sections.push(table(`GiB per GPU (HBM ${memory.capacityText})`, ['Rank', 'Parameters', 'Gradients', 'Optimizer', 'Activations', 'Recompute', 'Other', 'Total'], memory.ranks.map((r) => [
      String(r.rank), gib(r.parametersBytes), gib(r.gradientsBytes), gib(r.optimizerBytes), gib(r.activationsBytes), gib(r.transientBytes), gib(r.otherBytes), r.totalText,
    ])));
  }
  if (view.timeline) {
    sections.push('<h2>The designed step, per pipeline rank</h2>');
    sections.push(figure(images.timeline, 'Per-rank timeline of the estimated step: forward, backward, weight-gradient and overlapped ops, idle as background', 'Timeline of one step, one row per pipeline rank: forward, backward (B / I), weight-gradient (W) and overlapped F&B ops in the chart colours of the theme it was drawn in, later chunks lighter, exposed communication as a thin lane under each rank, idle as background (each pixel column shows the op kind that fills most of it)'));
  }
  if (view.waterfall) {
    sections.push(table('Where the step goes (busiest rank)', ['Part of the step', 'Time', 'Share'], [...view.waterfall.rows.map((r) => [r.label, r.secondsText, r.shareText]), ['Step time', view.waterfall.totalText, '100%']]));
  }
  if (view.traffic) {
    sections.push(table('Traffic per GPU per step', ['Dimension', 'NVLink', 'InfiniBand'], view.traffic.rows.map((r) => [r.label, r.nvlinkText, r.ibText])));
    sections.push(table('Communication', ['Figure', 'Value'], [
      ['InfiniBand per token', view.traffic.ibBytesPerTokenText],
      ['Exposed communication', view.traffic.exposedCommText],
      ['Compute : communication', view.traffic.computeToCommText],
    ]));
  }
  return sections;
}

function scheduleSection(schedules: ScheduleComparisonMessage, images: ReportInput['images']): string {
  const rows = schedules.rows.map((row) => {
    const name = row.current ? `${row.label} (this config)` : row.label;
    const f = row.figures;
    return f ? [name, f.texts.step, f.texts.makespan, f.texts.bubble, f.texts.activations, f.texts.peak] : [name, `not possible: ${row.reason ?? 'no estimate'}`, '', '', '', ''];
  });
  return [
    '<h2>Schedules at this config\'s size</h2>',
    `<p class="note">${e(schedules.summary)}</p>`,
    figure(images.schedules, 'Bars per schedule: pipeline makespan, bubble and peak activations', 'Makespan, bubble and peak activations per schedule'),
    table('Every schedule, same layout', ['Schedule', 'Step', 'Makespan', 'Bubble', 'Peak activations', 'Peak / HBM'], rows),
  ].join('\n');
}

function comparisonSection(comparison: EstimateComparison): string {
  const mark = (verdict: string) => (verdict === 'better' ? '▲ better' : verdict === 'worse' ? '▼ worse' : verdict);
  return [
    `<h2>${e(comparison.left.title)} (A) against ${e(comparison.right.title)} (B)</h2>`,
    `<p class="note">A: ${e(comparison.left.summary)}<br>B: ${e(comparison.right.summary)}</p>`,
    ...comparison.notes.map((note) => `<p class="note">${e(note)}</p>`),
    table('Figures', ['Figure', 'A', 'B', 'Δ (B − A)', '%', 'B is'], comparison.figures.map((r) => [r.label, r.left, r.right, r.deltaText, r.percentText, mark(r.verdict)]), 'comparison'),
    table('Settings', ['Setting', 'A', 'B', ''], comparison.settings.map((r) => [r.label, r.left, r.right, r.verdict === 'changed' ? 'changed' : ''])),
  ].join('\n');
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #1f1f1f; background: #ffffff; }
h1 { font-size: 1.4em; margin-bottom: 4px; } h2 { font-size: 1.15em; margin: 24px 0 6px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
th, td { padding: 2px 10px 2px 0; border-bottom: 1px solid #d0d0d0; text-align: right; vertical-align: top; }
th[scope="row"], thead th:first-child { text-align: left; font-weight: normal; }
thead th { font-weight: 600; }
figure { margin: 8px 0 16px; } img { max-width: 100%; border: 1px solid #d0d0d0; } figcaption, .note { color: #5f5f5f; }
.error { color: #b00020; } .problems li { margin: 2px 0; }
@media (prefers-color-scheme: dark) {
  body { color: #e0e0e0; background: #1e1e1e; } th, td, img { border-color: #444444; } figcaption, .note { color: #a0a0a0; } .error { color: #f48771; }
}`;

/** The report: headline, memory, timeline, waterfall, traffic, schedules, comparison, problems, value origins. */
export function reportHtml(input: ReportInput): string {
  const { view } = input;
  const body: string[] = [
    `<h1>${e(view.fileName)} — ${e(view.formatName)}</h1>`,
    view.designSummary ? `<p>${e(view.designSummary)}</p>` : '',
    view.whatIf ? `<p class="note">${e(view.whatIf.description)}</p>` : '',
    ...estimateSections(view, input.images),
  ];
  if (input.schedules && input.schedules.rows.length > 0) body.push(scheduleSection(input.schedules, input.images));
  if (input.comparison) body.push(comparisonSection(input.comparison));
  body.push('<h2>Problems</h2>');
  body.push(view.problems.length === 0
    ? '<p>None.</p>'
    : `<ul class="problems">${view.problems.map((p) => `<li>${e(p.severity)} <code>${e(p.code)}</code>${p.line ? ` (line ${p.line})` : ''}: ${e(p.message)}</li>`).join('\n')}</ul>`);
  body.push(table('Where each value came from', ['Setting', 'Used', 'From'], view.assumptions.map((a) => [a.label, a.value, a.fromText])));
  body.push(`<p class="note">Written by Parallelism Lens ${e(input.version)} at ${e(input.generatedAt)}. Figures are model estimates (docs/VALIDATION.md states their errors against published runs).</p>`);
  // No script may run and nothing may load: the images are data URLs, the style is this page's own.
  const csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(view.fileName)} — Parallelism Lens report</title>
<style>${STYLE}</style>
</head>
<body>
${body.filter(Boolean).join('\n')}
</body>
</html>
`;
}
