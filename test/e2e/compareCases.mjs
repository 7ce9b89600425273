// End-to-end cases for the Compare tab and Export: every schedule of the example DeepSeek-V3 design charted and
// tabled at its PP and micro-batches, "Compare with…" against another config of the workspace and against a
// what-if PP, each shown side by side with Δ, % and a verdict, the config's file left untouched; then Export HTML…
// and Export CSV… through the save dialog to files outside the workspace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openFile } from './editor.mjs';
import { expectedEstimateTexts } from './estimateFormat.mjs';
import { countDrawnPixels } from './panel.mjs';
import { acceptInputBox, runCommand, sleep, typeIntoInputBox, waitForQuickInputTitle, webviewFrames } from './workbench.mjs';

export const COMPARE_CASE = {
  compareSchedules: 'Compare tab charts every schedule at the config\'s PP and micro-batches',
  compareFile: 'Compare with… another config shows both estimates side by side with Δ, % and verdicts',
  compareWhatIf: 'Compare with… a what-if PP marks the changed settings and leaves the file untouched',
  exportHtml: 'Export HTML… writes a self-contained report with the figures as images and no script',
  exportCsv: 'Export CSV… writes the estimate\'s and the panel\'s tables',
};

/** Clicks an Export button, types `path` into the save dialog (VS Code's own in the browser) and waits for the file. */
async function exportTo(page, frame, button, path) {
  mkdirSync(dirname(path), { recursive: true });
  await frame.locator('[data-testid="estimate-tab"]').click();
  await frame.locator(`[data-testid="${button}"]`).click();
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // The dialog is ready once it shows its title and has filled in the name it offers.
  await waitForQuickInputTitle(page, 'Export the estimate', 15_000).catch(() => undefined);
  await input.waitFor({ state: 'visible', timeout: 5_000 });
  const ready = Date.now() + 10_000;
  let offered = await input.inputValue();
  while (Date.now() < ready && !/\.(html|csv)$/.test(offered)) {
    await sleep(200);
    offered = await input.inputValue();
  }
  await input.fill(path);
  await sleep(400);
  await input.press('Enter');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !existsSync(path)) await sleep(250);
  if (!existsSync(path)) throw new Error(`${path} was not written (the dialog offered "${offered}")`);
  await sleep(300);
  return { text: readFileSync(path, 'utf8'), offered };
}

const EXAMPLE = 'deepseek-v3.plens.yaml';
const OTHER = 'mixtral-8x7b.plens.yaml';
const SCHEDULE_COUNT = 8;

function cliStepText(root, file) {
  const cli = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'estimate', file, '--json'], { encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(`plens estimate failed (${cli.status}): ${cli.stderr.trim()}`);
  return expectedEstimateTexts(JSON.parse(cli.stdout).estimate)['step-time'];
}

/** The first webview whose Estimate tab shows `fileName`. */
async function panelShowing(page, fileName, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of await webviewFrames(page)) {
      const title = await frame.locator('[data-testid="estimate-title"]').textContent({ timeout: 1_000 }).catch(() => '');
      if (title?.startsWith(fileName)) return frame;
    }
    await sleep(500);
  }
  throw new Error(`no panel shows ${fileName} within ${timeoutMs / 1000} s`);
}

/** Rows of a comparison table by their test id: { label, left, right, delta, percent, verdict }. */
async function comparisonRows(frame, body) {
  return frame.locator(`#${body}`).evaluate((tbody) => Object.fromEntries(Array.from(tbody.querySelectorAll('tr')).map((tr) => {
    const field = (name) => (tr.querySelector(`[data-field="${name}"]`)?.textContent ?? '').trim();
    return [tr.dataset.testid.replace('comparison-', ''), { left: field('left'), right: field('right'), delta: field('delta'), percent: field('percent'), verdict: tr.dataset.verdict }];
  })));
}

/** Palette "Compare with…", then a row of its pick by the text typed into its filter. */
async function compareWith(page, filter) {
  await runCommand(page, 'Parallelism Lens: Compare with…');
  await waitForQuickInputTitle(page, `Compare ${EXAMPLE} with`);
  await typeIntoInputBox(page, filter);
  await sleep(400);
  await acceptInputBox(page);
}

export async function compareScenario({ page, root, workspace, check, assert, screenshot }) {
  const examplePath = join(workspace, EXAMPLE);
  const exampleText = readFileSync(examplePath, 'utf8');
  const exports = join(dirname(workspace), 'exports');
  let frame;
  let frameForExport;

  await check(COMPARE_CASE.compareSchedules, async () => {
    const editor = await openFile(page, EXAMPLE);
    await editor.locator('.codelens-decoration').filter({ hasText: 'MFU' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await runCommand(page, 'Parallelism Lens: Open Estimates Panel to the Side');
    frame = await panelShowing(page, EXAMPLE);
    await frame.locator('[data-testid="compare-tab"]').click();
    await frame.locator('[data-testid="schedules-row-dualpipe"]').waitFor({ state: 'visible', timeout: 30_000 });
    const rows = await frame.locator('#schedules-rows tr').evaluateAll((trs) => trs.map((tr) => ({ id: tr.dataset.testid, current: tr.classList.contains('current'), step: (tr.querySelector('[data-field="step"]')?.textContent ?? '').trim(), reason: (tr.querySelector('[data-field="reason"]')?.textContent ?? '').trim() })));
    assert(rows.length === SCHEDULE_COUNT, `${rows.length} schedule rows, expected ${SCHEDULE_COUNT}`);
    const own = rows.filter((row) => row.current);
    assert(own.length === 1 && own[0].id === 'schedules-row-dualpipe', `the config's own row is ${JSON.stringify(own)}`);
    const stepFigure = await frame.locator('[data-testid="figure-step-time"]').evaluate((dd) => (dd.firstChild?.textContent ?? '').trim());
    assert(own[0].step === stepFigure, `DualPipe's row says ${own[0].step}, the Estimate tab ${stepFigure}`);
    const estimated = rows.filter((row) => row.step !== '');
    assert(estimated.length >= 5, `only ${estimated.length} schedules estimated: ${JSON.stringify(rows)}`);
    assert(rows.every((row) => row.step !== '' || row.reason.startsWith('not possible:')), 'a row has neither figures nor a reason');
    const drawn = [];
    for (const id of ['schedules-makespan', 'schedules-bubble', 'schedules-activations']) {
      const pixels = await countDrawnPixels(frame, id);
      assert(pixels.total > 0 && pixels.drawn > 0, `${id} is blank`);
      drawn.push(`${id.replace('schedules-', '')} ${(100 * pixels.drawn / pixels.total).toFixed(0)}%`);
    }
    await screenshot('e2e-compare-schedules.png');
    return `${estimated.length} of ${rows.length} schedules estimated; drawn: ${drawn.join(', ')}`;
  });

  await check(COMPARE_CASE.compareFile, async () => {
    assert(frame, 'no panel');
    await compareWith(page, OTHER);
    await frame.locator('[data-testid="comparison-right"]', { hasText: OTHER }).waitFor({ state: 'visible', timeout: 30_000 });
    const figures = await comparisonRows(frame, 'comparison-figures');
    const step = figures['step-time'];
    assert(step && step.left && step.right && step.left !== step.right, `step row ${JSON.stringify(step)}`);
    assert(/^[+−]/.test(step.delta) && /^[+−][\d.]+%$/.test(step.percent), `step Δ "${step.delta}", % "${step.percent}"`);
    assert(['better', 'worse'].includes(step.verdict), `step verdict ${step.verdict}`);
    const want = { left: cliStepText(root, join(workspace, EXAMPLE)), right: cliStepText(root, join(workspace, OTHER)) };
    assert(step.left === want.left && step.right === want.right, `step ${step.left} / ${step.right}, plens estimate says ${want.left} / ${want.right}`);
    const settings = await comparisonRows(frame, 'comparison-settings');
    assert(settings.model?.verdict === 'changed', `model row ${JSON.stringify(settings.model)}`);
    await screenshot('e2e-compare-file.png');
    return `step ${step.left} → ${step.right} (${step.delta}, ${step.percent}, ${step.verdict})`;
  });

  await check(COMPARE_CASE.compareWhatIf, async () => {
    assert(frame, 'no panel');
    await compareWith(page, 'Another PP');
    await waitForQuickInputTitle(page, 'Compare with another PP');
    await typeIntoInputBox(page, '8');
    await sleep(300);
    await acceptInputBox(page);
    await frame.locator('[data-testid="comparison-right"]', { hasText: 'PP 8' }).waitFor({ state: 'visible', timeout: 30_000 });
    const settings = await comparisonRows(frame, 'comparison-settings');
    assert(settings.pp?.left === '16' && settings.pp?.right === '8' && settings.pp.verdict === 'changed', `PP row ${JSON.stringify(settings.pp)}`);
    assert(settings.model?.verdict === 'same', `model row ${JSON.stringify(settings.model)}`);
    const changed = Object.entries(settings).filter(([, row]) => row.verdict === 'changed').map(([id]) => id);
    assert(readFileSync(examplePath, 'utf8') === exampleText, `${EXAMPLE} changed on disk`);
    const dirty = await page.locator('.tabs-container .tab.dirty').filter({ hasText: EXAMPLE }).count();
    assert(dirty === 0, `${EXAMPLE} became dirty in ${dirty} editor(s)`);
    await screenshot('e2e-compare-what-if.png');
    const figures = await comparisonRows(frame, 'comparison-figures');
    // Same model, GPUs and global batch: throughput moves exactly opposite to the step time.
    assert(figures['tokens-per-second'].verdict === figures['step-time'].verdict, `throughput is ${figures['tokens-per-second'].verdict} while step time is ${figures['step-time'].verdict}`);
    frameForExport = frame;
    return `changed: ${changed.join(', ')}; step ${figures['step-time'].left} → ${figures['step-time'].right} (${figures['step-time'].verdict})`;
  });

  await check(COMPARE_CASE.exportHtml, async () => {
    assert(frameForExport, 'no panel with the comparison');
    const stepFigure = await frameForExport.locator('[data-testid="figure-step-time"]').evaluate((dd) => (dd.firstChild?.textContent ?? '').trim());
    const { text, offered } = await exportTo(page, frameForExport, 'export-html', join(exports, 'deepseek-v3-report.html'));
    const images = text.match(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/g) ?? [];
    assert(images.length >= 3, `${images.length} embedded images (expected the memory chart, the timeline and the schedule charts)`);
    assert(!/<script/i.test(text), 'the report has a <script');
    assert(!/\bsrc="(?!data:)/.test(text) && !/<link/i.test(text), 'the report loads something from elsewhere');
    assert(text.includes(stepFigure), `the report does not show the step time ${stepFigure}`);
    assert(text.includes('Where each value came from') && text.includes('(A) against'), 'origins or the comparison missing');
    const page2 = await page.context().newPage();
    // Opened with scripts off, as a mail client or a locked-down browser would: the figures still load.
    await page2.route('**/*', (route) => route.abort());
    await page2.setContent(text, { waitUntil: 'load' });
    const loaded = await page2.locator('img').evaluateAll((imgs) => imgs.filter((img) => img.complete && img.naturalWidth > 0).length);
    await page2.screenshot({ path: join(dirname(workspace), '..', 'e2e-export-report.png'), fullPage: false }).catch(() => undefined);
    await page2.close();
    assert(loaded === images.length, `${loaded} of ${images.length} images decode in a page with no network`);
    return `${Math.round(text.length / 1024)} KiB, ${images.length} images, all decoded offline; the dialog offered ${offered}`;
  });

  await check(COMPARE_CASE.exportCsv, async () => {
    assert(frameForExport, 'no panel with the comparison');
    const { text } = await exportTo(page, frameForExport, 'export-csv', join(exports, 'deepseek-v3-tables.csv'));
    const lines = text.split('\r\n');
    assert(lines[0] === 'table,row,column,value', `header "${lines[0]}"`);
    const tables = new Set(lines.slice(1).filter(Boolean).map((line) => line.split(',')[0]));
    for (const name of ['figures', 'memory', 'traffic', 'breakdown', 'problems', 'origins', 'schedules', 'comparison']) assert(tables.has(name), `no ${name} table in the CSV (has ${[...tables].join(', ')})`);
    assert(lines.some((line) => /^figures,step_seconds,value,\d/.test(line)), 'no step time');
    return `${lines.length - 2} cells in ${tables.size} tables`;
  });
  return frameForExport;
}
