// Driving the text editor, hovers, the code-action widget and the Problems view of VS Code 1.100 in the browser.
import { sleep } from './workbench.mjs';

const QUICK_INPUT = '.quick-input-widget';

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Quick Open (F1 without the `>`): type the file name, pick its row; waits for its editor. */
export async function openFile(page, name, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  const row = page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) });
  while (Date.now() < deadline) {
    await page.keyboard.press('F1');
    const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    try {
      await row.first().waitFor({ state: 'visible', timeout: 5_000 });
      await row.first().click();
      const editor = editorFor(page, name);
      await editor.locator('.view-line').first().waitFor({ state: 'visible', timeout: 10_000 });
      return editor;
    } catch {
      // The file watcher may not have listed a just-written file yet.
      await page.keyboard.press('Escape');
      await sleep(1_000);
    }
  }
  throw new Error(`could not open ${name} from Quick Open within ${timeoutMs / 1000} s`);
}

export function editorFor(page, name) {
  return page.locator(`.editor-instance .monaco-editor[data-uri$="${name}"]`).first();
}

/** The rendered text of every visible line (Monaco renders spaces as no-break spaces). */
export async function editorLines(editor) {
  return editor.locator('.view-lines').evaluate((lines) =>
    Array.from(lines.querySelectorAll('.view-line'))
      .map((line) => ({ top: Number.parseFloat(line.style.top || '0'), text: (line.textContent ?? '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text));
}

/** The line that matches, as a locator (for clicking or hovering on a token in it). */
export function lineWith(editor, pattern) {
  return editor.locator('.view-line').filter({ hasText: pattern }).first();
}

/** Hovers the token of a line and returns the hover widget once it shows `expected`. */
export async function hoverToken(page, editor, linePattern, tokenPattern, expected, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: expected }).first();
  while (Date.now() < deadline) {
    const token = lineWith(editor, linePattern).locator('span span').filter({ hasText: tokenPattern }).first();
    await page.mouse.move(0, 0);
    await sleep(200);
    try {
      await token.hover({ timeout: 5_000 });
      await hover.waitFor({ state: 'visible', timeout: 4_000 });
      return hover;
    } catch {
      // The analysis may still be running on a loaded machine: move away and hover again.
    }
  }
  throw new Error(`no hover showing "${expected}" within ${timeoutMs / 1000} s`);
}

/** Opens the Problems view by its palette command (its title differs between VS Code versions). */
export async function focusProblems(page, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  const row = page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: /^View: Focus Problems( \(Errors, Warnings, Infos\))?$/ }) });
  while (Date.now() < deadline) {
    await page.keyboard.press('F1');
    const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('>Focus Problems');
    try {
      await row.first().waitFor({ state: 'visible', timeout: 3_000 });
      await row.first().click();
      await page.locator('.markers-panel').first().waitFor({ state: 'visible', timeout: 10_000 });
      return;
    } catch {
      await page.keyboard.press('Escape');
      await sleep(1_000);
    }
  }
  throw new Error('the Problems view did not open');
}

/** Ctrl+. at the cursor: waits for the code-action list and returns the rows whose label matches. */
export async function openQuickFixes(page, labelPattern, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  const rows = page.locator('.action-widget .monaco-list-row').filter({ hasText: labelPattern });
  while (Date.now() < deadline) {
    await page.keyboard.press('Control+Period');
    try {
      await rows.first().waitFor({ state: 'visible', timeout: 4_000 });
      return rows;
    } catch {
      await page.keyboard.press('Escape');
      await sleep(1_000);
    }
  }
  throw new Error(`no quick fix matching ${labelPattern} within ${timeoutMs / 1000} s`);
}
