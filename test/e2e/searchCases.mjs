// End-to-end cases for Search Layouts → Apply → Undo: in a plens.yaml and in a Megatron-LM script, the search runs
// from the palette, its table appears in the panel, Apply on a row with another PP changes that value in the
// editor (saved to disk to compare), and Undo gives back the original file byte for byte.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editorLines, openFile } from './editor.mjs';
import { runCommand, sleep, webviewFrames } from './workbench.mjs';

export const SEARCH_CASE = {
  searchPlens: 'Search Layouts → Apply changes PP in a plens.yaml; Undo restores it byte for byte',
  searchMegatron: 'Search Layouts → Apply changes PP in a Megatron-LM script; Undo restores it byte for byte',
  walkthroughExample: 'the walkthrough\'s example opens as an unsaved config with its headline',
  scatter: 'Search scatter draws the Pareto front; clicking a point selects its row',
};

const FILES = [
  { name: 'search-deepseek-v3.plens.yaml', from: ['examples', 'deepseek-v3.plens.yaml'], ppLine: /^\s*pp:\s*(\d+)/, testCase: SEARCH_CASE.searchPlens },
  { name: 'train_llama3_8b.sh', from: ['test', 'config', 'data', 'llama3-8b-megatron.sh'], ppLine: /--pipeline-model-parallel-size\s+(\d+)/, testCase: SEARCH_CASE.searchMegatron },
];

/** The panel frame whose Search tab shows a finished search of `fileName`. */
async function searchFrame(page, fileName, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of await webviewFrames(page)) {
      const summary = frame.locator('[data-testid="search-summary"]');
      const text = await summary.textContent({ timeout: 1_000 }).catch(() => '');
      if (text?.startsWith(`${fileName}:`) && /layouts estimated/.test(text) && (await summary.isVisible().catch(() => false))) return frame;
    }
    await sleep(500);
  }
  throw new Error(`no panel shows a finished search of ${fileName} within ${timeoutMs / 1000} s`);
}

/** A point of the Pareto front (other than the file's own layout) is clicked; its table row must become selected. */
async function scatterSelects(frame, assert, screenshot) {
  const canvas = frame.locator('canvas[data-testid="search-scatter"]');
  await canvas.waitFor({ state: 'visible', timeout: 10_000 });
  let points = [];
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && points.length === 0) {
    points = JSON.parse((await canvas.getAttribute('data-points')) ?? '[]');
    if (points.length === 0) await sleep(250);
  }
  const front = points.filter((point) => point.dataset === 0);
  assert(front.length > 0, `no Pareto front among ${points.length} points`);
  // The point farthest from any other, so that the click cannot land on a neighbour drawn over it.
  const clearance = (point) => Math.min(...points.filter((other) => other.rank !== point.rank).map((other) => Math.hypot(other.x - point.x, other.y - point.y)), Infinity);
  const target = [...front].sort((a, b) => clearance(b) - clearance(a))[0];
  const marked = await frame.locator('#search-rows tr[data-front="true"]').evaluateAll((rows) => rows.map((row) => Number(row.dataset.rank)));
  assert(JSON.stringify([...marked].sort((a, b) => a - b)) === JSON.stringify(front.map((point) => point.rank).sort((a, b) => a - b)), `table marks ${marked} on the front, the chart draws ${front.map((point) => point.rank)}`);
  await canvas.click({ position: { x: target.x, y: target.y } });
  const row = frame.locator(`[data-testid="search-row-${target.rank}"]`);
  await frame.locator(`[data-testid="search-row-${target.rank}"].selected`).waitFor({ state: 'visible', timeout: 5_000 }).catch(async () => {
    const chosen = await frame.locator('#search-rows tr.selected').getAttribute('data-rank', { timeout: 1_000 }).catch(() => 'none');
    throw new Error(`clicked #${target.rank} at (${target.x}, ${target.y}), ${clearance(target).toFixed(0)} px from the next point; selected row: ${chosen}`);
  });
  const selected = await frame.locator('#search-rows tr.selected').count();
  assert(selected === 1, `${selected} rows selected`);
  await screenshot('e2e-search-scatter.png');
  return `${points.length} points, ${front.length} on the front; clicked #${target.rank}, its row is selected (${(await row.getAttribute('aria-selected'))})`;
}

async function ppInEditor(editor, pattern) {
  const line = (await editorLines(editor)).find((text) => pattern.test(text));
  return line ? Number(pattern.exec(line)[1]) : undefined;
}

async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function searchScenario({ page, root, workspace, check, assert, screenshot }) {
  for (const file of FILES) copyFileSync(join(root, ...file.from), join(workspace, file.name));
  for (const file of FILES) {
    await check(file.testCase, async () => {
      const path = join(workspace, file.name);
      const original = readFileSync(path, 'utf8');
      const editor = await openFile(page, file.name);
      // The analysis is done when the headline shows.
      await editor.locator('.codelens-decoration').filter({ hasText: 'MFU' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      const before = await ppInEditor(editor, file.ppLine);
      assert(before !== undefined, `no PP line in ${file.name}`);
      await runCommand(page, 'Parallelism Lens: Search Layouts');
      const frame = await searchFrame(page, file.name);
      if (file.testCase === SEARCH_CASE.searchPlens) await check(SEARCH_CASE.scatter, () => scatterSelects(frame, assert, screenshot));
      const rank = await frame.locator('[data-testid="search-table"] tbody').evaluate((body, current) => {
        const row = Array.from(body.querySelectorAll('tr')).find((tr) => tr.dataset.pp !== String(current) && tr.dataset.testid !== 'search-row-0');
        return row ? Number(row.dataset.testid.replace('search-row-', '')) : undefined;
      }, before);
      assert(rank, `no result row with a PP other than ${before}`);
      const newPp = Number(await frame.locator(`[data-testid="search-row-${rank}"]`).getAttribute('data-pp'));
      await screenshot(`e2e-search-${file.name}.png`);
      await frame.locator(`[data-testid="search-apply-${rank}"]`).click();
      await waitFor(async () => (await ppInEditor(editor, file.ppLine)) === newPp, 15_000, `PP ${newPp} in the editor`);
      await screenshot(`e2e-search-applied-${file.name}.png`);
      await runCommand(page, 'File: Save');
      // The save may be read half-written: wait for the whole edited file, not just for a change.
      const diskPp = () => file.ppLine.exec(readFileSync(path, 'utf8').split('\n').find((line) => file.ppLine.test(line)) ?? '')?.[1];
      await waitFor(() => diskPp() === String(newPp), 10_000, `PP ${newPp} in the saved file (it reads ${diskPp()})`);
      const applied = readFileSync(path, 'utf8');
      const changedLines = applied.split('\n').filter((line, index) => line !== original.split('\n')[index]).length;
      // Undo: focus the text and undo the one edit, then save again.
      await editor.locator('.view-line').first().click();
      await page.keyboard.press('Control+Z');
      await waitFor(async () => (await ppInEditor(editor, file.ppLine)) === before, 10_000, `PP ${before} back in the editor`);
      await runCommand(page, 'File: Save');
      await waitFor(() => readFileSync(path, 'utf8') === original, 10_000, 'the original bytes on disk after Undo');
      return `row ${rank}: PP ${before} → ${newPp} (${changedLines} line(s) differ on disk); Undo + Save gives the original ${Buffer.byteLength(original)} bytes`;
    });
  }

  await check(SEARCH_CASE.walkthroughExample, async () => {
    await runCommand(page, 'Parallelism Lens: Open the DeepSeek-V3 Example');
    const editor = page.locator('.editor-instance .monaco-editor[data-uri^="untitled:"]').first();
    const lens = editor.locator('.codelens-decoration').filter({ hasText: 'MFU' }).first();
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    await screenshot('e2e-walkthrough-example.png');
    return ((await lens.textContent()) ?? '').trim();
  });
}
