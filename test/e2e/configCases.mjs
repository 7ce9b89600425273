// End-to-end cases for the config editor surface: the example DeepSeek-V3 design's headline in the status bar and
// CodeLens, the PP hover with its neighbour table, the panel's Estimate tab against `plens estimate --json`, a bad
// config's squiggle, Problems entry and quick fix (with Undo), and an HTML value shown as text everywhere.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editorLines, focusProblems, hoverToken, openFile, openQuickFixes } from './editor.mjs';
import { expectedEstimateTexts } from './estimateFormat.mjs';
import { countDrawnPixels, timelineRows } from './panel.mjs';
import { runCommand, sleep, webviewFrames } from './workbench.mjs';

export const CONFIG_CASE = {
  configHeadline: 'status bar and CodeLens show the estimate headline of deepseek-v3.plens.yaml',
  configHover: 'hover on pp: shows the PP neighbour table',
  configPanel: 'Estimate tab draws the memory chart, the step waterfall, traffic, timeline, problems and origins',
  configTimeline: 'Estimate timeline draws every rank row, its idle share is the bubble, and hovering names an op',
  configFigures: 'Estimate tab figures equal plens estimate --json',
  configWhatIf: 'what-if PP 8 re-estimates in the panel without touching the file',
  configSquiggle: 'a bad config gets a squiggle and a Problems entry with its code',
  configQuickFix: 'Ctrl+. quick fix sets the offered value and Ctrl+Z restores it',
  configHostile: 'an HTML value shows as text in the hover and the panel',
  configWide: 'the CodeLens opens the wide panel beside the editor',
  configCompanion: 'a Megatron-DeepSpeed script takes ZeRO stage and batch from the DeepSpeed config beside it, as plens estimate does',
};

// A Megatron-DeepSpeed launch whose ZeRO stage and batch sizes live only in the DeepSpeed config it names.
const DS_SCRIPT = 'ds_moe_launch.sh';
const DS_CONFIG = 'ds_config_moe.json';
const DS_SCRIPT_TEXT = `#!/bin/bash
# plens: gpu=H100
options=" \\
    --tensor-model-parallel-size 1 \\
    --moe-expert-parallel-size 8 \\
    --num-experts 64 \\
    --num-layers 24 \\
    --hidden-size 1024 \\
    --num-attention-heads 16 \\
    --seq-length 2048 \\
    --max-position-embeddings 2048 \\
    --tokenizer-type GPT2BPETokenizer \\
    --fp16 \\
    --deepspeed \\
    --deepspeed_config ${DS_CONFIG}"
deepspeed --num_nodes 4 --num_gpus 8 pretrain_gpt.py \${options}
`;
const DS_CONFIG_TEXT = '{\n  "train_batch_size": 512,\n  "train_micro_batch_size_per_gpu": 2,\n  "zero_optimization": {"stage": 2},\n  "fp16": {"enabled": true}\n}\n';

const EXAMPLE = 'deepseek-v3.plens.yaml';
const BAD = 'odd-microbatches.plens.yaml';
const HOSTILE = 'hostile-gpu.plens.yaml';
const HOSTILE_VALUE = '<img src=x onerror=alert(1)>';
// 15232 = 119 · 128: 119 micro-batches, and DualPipe sends half each way, so it needs an even count.
const BAD_BATCH = '15232';

function cliEstimate(root, file) {
  const cli = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'estimate', file, '--json'], { encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(`plens estimate failed (${cli.status}): ${cli.stderr.trim()}`);
  return JSON.parse(cli.stdout);
}

/** The first webview whose Estimate tab shows `fileName` with figures or a reason. */
async function estimateFrame(page, fileName, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of await webviewFrames(page)) {
      const title = await frame.locator('[data-testid="estimate-title"]').textContent({ timeout: 1_000 }).catch(() => '');
      const visible = await frame.locator('[data-testid="estimate-title"]').isVisible().catch(() => false);
      if (visible && title?.startsWith(fileName)) return frame;
    }
    await sleep(500);
  }
  throw new Error(`no panel shows the estimate of ${fileName} within ${timeoutMs / 1000} s`);
}

/** The figure's own text, without the note under it. */
async function figureText(frame, id) {
  return frame.locator(`[data-testid="figure-${id}"]`).evaluate((dd) => (dd.firstChild?.textContent ?? '').trim());
}

export async function configScenario({ page, root, workspace, check, assert, screenshot }) {
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss().catch(() => undefined);
  });
  const examplePath = join(workspace, EXAMPLE);
  const cli = cliEstimate(root, examplePath);
  assert(cli.estimate, `plens estimate gave no estimate for ${EXAMPLE}`);
  const expected = expectedEstimateTexts(cli.estimate);
  const exampleText = readFileSync(examplePath, 'utf8');
  writeFileSync(join(workspace, BAD), exampleText.replace(/globalBatchSize: \d+/, `globalBatchSize: ${BAD_BATCH}`));
  writeFileSync(join(workspace, HOSTILE), readFileSync(join(root, 'test', 'extension', 'data', HOSTILE), 'utf8'));

  let editor;
  await check(CONFIG_CASE.configHeadline, async () => {
    editor = await openFile(page, EXAMPLE);
    const lens = editor.locator('.codelens-decoration').filter({ hasText: 'MFU' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    const lensText = ((await lens.textContent()) ?? '').trim();
    const status = page.locator('.statusbar-item').filter({ hasText: /MFU/ }).first();
    await status.waitFor({ state: 'visible', timeout: 15_000 });
    const statusText = ((await status.textContent()) ?? '').trim();
    await screenshot('e2e-config-headline.png');
    for (const part of [`step ${expected['step-time']}`, `MFU ${expected.mfu}`, `peak ${expected['peak-memory']}`]) {
      assert(lensText.includes(part), `CodeLens "${lensText}" lacks "${part}"`);
    }
    assert(statusText.includes(`MFU ${expected.mfu}`) && statusText.includes(expected['step-time']), `status bar "${statusText}" lacks the headline`);
    return lensText;
  });
  if (!editor) return;

  await check(CONFIG_CASE.configHover, async () => {
    const hover = await hoverToken(page, editor, /^\s*pp:\s*16/, /^\s*pp$/, 'pipeline-parallel size');
    await sleep(300);
    await screenshot('e2e-config-hover-pp.png');
    const text = ((await hover.textContent()) ?? '').replace(/\s+/g, ' ');
    // Half, current and double (DESIGN.md §6: "PP 8 / 16 / 32 side by side").
    const rows = await hover.locator('table tr').allTextContents();
    const firstCells = rows.map((row) => row.trim().split(/\s+/)[0]);
    assert(rows.length >= 4, `the neighbour table has ${rows.length} rows`);
    assert(firstCells.includes('PP') && firstCells.includes('8') && firstCells.includes('16') && firstCells.includes('32'), `table rows start ${JSON.stringify(firstCells)}`);
    assert(/16\s*\(now\)/.test(text), 'the current PP is not marked (now)');
    await page.mouse.move(0, 0);
    return `${rows.length - 1} PP values compared`;
  });

  let frame;
  await check(CONFIG_CASE.configPanel, async () => {
    frame = await estimateFrame(page, EXAMPLE);
    await frame.locator('[data-testid="figure-step-time"]').filter({ hasText: /\d/ }).waitFor({ timeout: 20_000 });
    await sleep(500);
    await screenshot('e2e-estimate-panel.png');
    await page.locator('iframe.webview.ready').first().screenshot({ path: join(root, 'test-results', 'e2e-estimate-panel-webview.png') }).catch(() => undefined);
    const memory = await countDrawnPixels(frame, 'memory-chart');
    assert(memory.total > 0, 'the memory chart has no size');
    assert(memory.drawn / memory.total > 0.1, `only ${((memory.drawn / memory.total) * 100).toFixed(1)}% of the memory chart is drawn`);
    // Five stacked parts, the HBM line, text and grid.
    assert(memory.colours >= 6, `only ${memory.colours} opaque colours in the memory chart`);
    const timeline = await countDrawnPixels(frame, 'estimate-timeline');
    assert(timeline.drawn / Math.max(1, timeline.total) > 0.1, 'the designed step timeline is not drawn');
    // The step as a waterfall: twelve parts and a total equal to the step-time figure.
    const waterfallRows = await frame.locator('[data-testid="waterfall-table"] tbody tr').count();
    assert(waterfallRows === 12, `${waterfallRows} waterfall rows, expected 12`);
    const waterfallTotal = (await frame.locator('[data-testid="waterfall-total"]').textContent())?.trim();
    const stepTime = (await frame.locator('[data-testid="figure-step-time"]').textContent())?.trim();
    assert(waterfallTotal && waterfallTotal === stepTime, `the waterfall ends at "${waterfallTotal}", the step time is "${stepTime}"`);
    const waterfallBars = await frame.locator('[data-testid="waterfall-table"] .waterfall-bar').evaluateAll((bars) => bars.filter((bar) => bar.getBoundingClientRect().width > 1).length);
    assert(waterfallBars >= 3, `only ${waterfallBars} waterfall bars are drawn`);
    const traffic = await frame.locator('[data-testid="traffic-table"] tbody tr').allTextContents();
    assert(traffic.length === 5, `${traffic.length} traffic rows, expected TP, CP, EP, PP, DP`);
    const problems = await frame.locator('[data-testid="estimate-problems"] li').count();
    assert(problems === cli.problems.length || problems > 0, 'no problems listed');
    const pp = await frame.locator('[data-field="plan.pp"] [data-field="from"]').textContent();
    assert(/this file \(line \d+\)/.test(pp ?? ''), `PP's origin reads "${pp}"`);
    // The same page beside the editor, wide: both surfaces show the active config.
    await runCommand(page, 'Parallelism Lens: Open Estimates Panel to the Side');
    let showing = 0;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && showing < 2) {
      showing = 0;
      for (const candidate of await webviewFrames(page)) {
        if (await candidate.locator('[data-testid="figure-step-time"]').isVisible().catch(() => false)) showing += 1;
      }
      if (showing < 2) await sleep(500);
    }
    await sleep(500);
    await screenshot('e2e-estimate-panel-beside.png');
    assert(showing >= 2, `${showing} surface(s) show the estimate; expected the view and the editor panel`);
    return `memory ${((memory.drawn / memory.total) * 100).toFixed(0)}% drawn, ${memory.colours} colours; timeline ${((timeline.drawn / timeline.total) * 100).toFixed(0)}%; ${problems} problems`;
  });

  await check(CONFIG_CASE.configTimeline, async () => {
    assert(frame, 'no estimate panel');
    const { plot, rows } = await timelineRows(frame, 'estimate-timeline');
    assert(plot, 'the timeline published no geometry');
    assert(rows.length === cli.estimate.stages.length || rows.length > 0, 'no rank rows');
    const empty = rows.filter((row) => row.drawn === 0).map((row) => row.rank);
    assert(empty.length === 0, `rank rows without pixels: ${empty.join(', ')}`);
    // The bubble is the busiest rank's idle time over the step: the row with the least transparent width.
    const canvasIdle = Math.min(...rows.map((row) => row.idleShare));
    const bubble = cli.estimate.bubble.fraction;
    assert(Math.abs(canvasIdle - bubble) <= 0.03, `canvas idle ${(canvasIdle * 100).toFixed(1)}%, estimate bubble ${(bubble * 100).toFixed(1)}%`);
    // Hover the middle of rank 0's row, where DualPipe runs overlapped pairs.
    const canvas = frame.locator('canvas[data-testid="estimate-timeline"]');
    const ratio = await canvas.evaluate(() => devicePixelRatio);
    const x = (plot.left + plot.width / 2) / ratio;
    const y = (plot.top + plot.rowHeight / 2) / ratio;
    await canvas.hover({ position: { x, y } });
    const tooltip = frame.locator('[data-testid="estimate-timeline-tooltip"]');
    await tooltip.waitFor({ state: 'visible', timeout: 5_000 });
    const text = ((await tooltip.textContent()) ?? '').replace(/\s+/g, ' ');
    await screenshot('e2e-estimate-timeline-tooltip.png');
    assert(/micro-batch \d+/.test(text) && /chunk \d+/.test(text) && /start .+ duration /.test(text), `tooltip reads "${text}"`);
    return `${rows.length} rows drawn; canvas idle ${(canvasIdle * 100).toFixed(1)}% vs bubble ${(bubble * 100).toFixed(1)}%; tooltip "${text.slice(0, 90)}"`;
  });

  await check(CONFIG_CASE.configFigures, async () => {
    assert(frame, 'no estimate panel');
    const shown = {};
    for (const id of Object.keys(expected)) shown[id] = await figureText(frame, id);
    const differences = Object.keys(expected).filter((id) => shown[id] !== expected[id]).map((id) => `${id}: panel "${shown[id]}", plens "${expected[id]}"`);
    assert(differences.length === 0, differences.join('; '));
    return Object.entries(shown).map(([id, text]) => `${id} ${text}`).join(', ');
  });

  await check(CONFIG_CASE.configWhatIf, async () => {
    assert(frame, 'no estimate panel');
    await frame.locator('[data-testid="what-if-pp"] input').fill('8');
    await frame.locator('[data-testid="what-if-run"]').click();
    const note = frame.locator('[data-testid="what-if-note"]', { hasText: 'PP 8' });
    await note.waitFor({ state: 'visible', timeout: 15_000 });
    const design = (await frame.locator('[data-testid="estimate-design"]').textContent()) ?? '';
    // 2048 GPUs over PP 8 leaves DP 256 (completion re-derives it as the hover's neighbours do).
    assert(design.includes('PP 8') && design.includes('DP 256'), `design line reads "${design}"`);
    const step = await figureText(frame, 'step-time');
    await screenshot('e2e-estimate-what-if.png');
    // Not on disk, and not in an unsaved buffer either (a changed document marks its tab dirty).
    assert(readFileSync(examplePath, 'utf8') === exampleText, `${EXAMPLE} changed on disk`);
    const dirty = await page.locator('.tabs-container .tab.dirty').count();
    assert(dirty === 0, `${dirty} editor(s) became dirty`);
    await frame.locator('[data-testid="what-if-reset"]').click();
    await note.waitFor({ state: 'hidden', timeout: 15_000 });
    const back = await figureText(frame, 'step-time');
    assert(back === expected['step-time'], `after "File values" the step time reads ${back}, plens says ${expected['step-time']}`);
    return `PP 8: step ${step}; file untouched; back to ${back}`;
  });

  let bad;
  await check(CONFIG_CASE.configSquiggle, async () => {
    bad = await openFile(page, BAD);
    await bad.locator('.squiggly-error').first().waitFor({ state: 'visible', timeout: 30_000 });
    await focusProblems(page);
    const row = page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'schedule/constraint' }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    const text = ((await row.textContent()) ?? '').trim();
    await screenshot('e2e-bad-config-problems.png');
    assert(/even number of micro-batches/.test(text), `Problems row reads "${text}"`);
    return text.slice(0, 120);
  });

  await check(CONFIG_CASE.configQuickFix, async () => {
    assert(bad, 'the bad config is not open');
    const before = (await editorLines(bad)).find((line) => line.includes('globalBatchSize')) ?? '';
    assert(before.includes(BAD_BATCH), `globalBatchSize line reads "${before}"`);
    // The cursor on the squiggled schedule value, then Ctrl+. lists the fixes for it.
    const squiggle = await bad.locator('.squiggly-error').first().boundingBox();
    assert(squiggle, 'the squiggle has no box');
    await page.mouse.click(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2);
    const rows = await openQuickFixes(page, /Set global batch size to \d+/);
    const label = ((await rows.first().textContent()) ?? '').trim();
    const offered = /Set global batch size to (\d+)/.exec(label)?.[1];
    assert(offered, `fix label "${label}"`);
    await screenshot('e2e-quick-fix-menu.png');
    // The first fix is focused when the list opens (its row does not take a pointer click reliably).
    await page.keyboard.press('Enter');
    const fixedDeadline = Date.now() + 10_000;
    let fixed = before;
    while (Date.now() < fixedDeadline && !fixed.includes(`globalBatchSize: ${offered}`)) {
      await sleep(250);
      fixed = (await editorLines(bad)).find((line) => line.includes('globalBatchSize')) ?? '';
    }
    assert(fixed.includes(`globalBatchSize: ${offered}`), `after the fix the line reads "${fixed}", expected ${offered}`);
    await bad.locator('.squiggly-error').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
    await screenshot('e2e-quick-fix-applied.png');
    await page.keyboard.press('Control+Z');
    const undoDeadline = Date.now() + 10_000;
    let undone = fixed;
    while (Date.now() < undoDeadline && !undone.includes(`globalBatchSize: ${BAD_BATCH}`)) {
      await sleep(250);
      undone = (await editorLines(bad)).find((line) => line.includes('globalBatchSize')) ?? '';
    }
    assert(undone.includes(`globalBatchSize: ${BAD_BATCH}`), `after Undo the line reads "${undone}"`);
    return `${label} → Undo back to ${BAD_BATCH}`;
  });

  await check(CONFIG_CASE.configHostile, async () => {
    const hostile = await openFile(page, HOSTILE);
    const hover = await hoverToken(page, hostile, /^\s*gpu:/, /^\s*gpu$/, 'GPU');
    await sleep(300);
    await screenshot('e2e-hostile-hover.png');
    const hoverText = (await hover.textContent()) ?? '';
    assert(hoverText.includes(HOSTILE_VALUE), `the hover does not show the value as text: "${hoverText.slice(0, 200)}"`);
    assert((await hover.locator('img').count()) === 0, 'the hover rendered an <img>');
    await page.mouse.move(0, 0);
    const panel = await estimateFrame(page, HOSTILE);
    const value = await panel.locator('[data-field="cluster.gpu"] [data-field="value"]').textContent();
    assert(value === HOSTILE_VALUE, `the panel shows the GPU as "${value}"`);
    const reason = (await panel.locator('[data-testid="estimate-unavailable"]').textContent()) ?? '';
    assert(reason.includes(HOSTILE_VALUE), `the panel's reason reads "${reason}"`);
    const images = await panel.locator('img').count();
    assert(images === 0, `the panel has ${images} <img> element(s)`);
    const violations = await panel.locator('[data-testid="csp-violations"]').getAttribute('data-count');
    assert(violations === '0', `${violations} CSP violation(s) on the page showing the value`);
    await screenshot('e2e-hostile-panel.png');
    assert(dialogs.length === 0, `a dialog opened: ${dialogs.join(' | ')}`);
    return 'shown as text in the hover, the origins table and the reason';
  });

  await check(CONFIG_CASE.configWide, async () => {
    const example = await openFile(page, EXAMPLE);
    // Close the editor panel first, so that the CodeLens has to open it.
    const panelTab = page.locator('.tabs-container .tab').filter({ hasText: 'Parallelism Lens' });
    for (let attempt = 0; attempt < 3 && (await panelTab.count()) > 0; attempt++) {
      await panelTab.first().click();
      await panelTab.first().locator('.tab-actions .action-label').first().click();
      await sleep(500);
    }
    assert((await panelTab.count()) === 0, 'the editor panel did not close');
    await example.locator('.codelens-decoration a').filter({ hasText: 'MFU' }).first().click();
    const deadline = Date.now() + 20_000;
    let groups = [];
    while (Date.now() < deadline) {
      groups = await page.locator('.editor-group-container').evaluateAll((elements) => elements.map((group) => ({
        active: (group.querySelector('.tab.active')?.textContent ?? '').trim(),
        width: group.getBoundingClientRect().width,
      })));
      if (groups.some((group) => group.active.includes('Parallelism Lens')) && groups.some((group) => group.active.includes(EXAMPLE))) break;
      await sleep(500);
    }
    await sleep(800);
    await screenshot('e2e-wide-panel.png');
    const panelGroup = groups.findIndex((group) => group.active.includes('Parallelism Lens'));
    const editorGroup = groups.findIndex((group) => group.active.includes(EXAMPLE));
    assert(panelGroup >= 0, `no editor group shows the panel: ${JSON.stringify(groups)}`);
    assert(editorGroup >= 0 && editorGroup !== panelGroup, `the panel is not beside ${EXAMPLE}: ${JSON.stringify(groups)}`);
    return `panel in group ${panelGroup + 1} (${Math.round(groups[panelGroup].width)} px wide), ${EXAMPLE} in group ${editorGroup + 1}`;
  });

  await check(CONFIG_CASE.configCompanion, async () => {
    writeFileSync(join(workspace, DS_SCRIPT), DS_SCRIPT_TEXT);
    writeFileSync(join(workspace, DS_CONFIG), DS_CONFIG_TEXT);
    const withConfig = cliEstimate(root, join(workspace, DS_SCRIPT));
    assert(withConfig.design.plan.zero === 2 && withConfig.design.plan.microBatchSize === 2, `plens estimate read zero ${withConfig.design.plan.zero}, micro-batch ${withConfig.design.plan.microBatchSize}`);
    const expectedStep = expectedEstimateTexts(withConfig.estimate)['step-time'];
    const script = await openFile(page, DS_SCRIPT);
    const lens = script.locator('.codelens-decoration').filter({ hasText: 'MFU' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    const lensText = ((await lens.textContent()) ?? '').trim();
    await screenshot('e2e-config-companion.png');
    assert(lensText.includes(`step ${expectedStep}`), `CodeLens "${lensText}" lacks "step ${expectedStep}" (plens estimate with ${DS_CONFIG})`);
    return lensText;
  });
}
