// Driving VS Code's workbench (1.100) in the browser: the selectors and retries that the team's E2E reference
// found to work ("Selectors that worked").

const QUICK_INPUT = '.quick-input-widget';
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_INPUT_ROW = `${QUICK_INPUT} .monaco-list-row`;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function waitForWorkbench(page, timeoutMs) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Runs a palette command by its full title. An extension's commands appear only once its host registered them
 * (seconds after the explorer shows files), so a missing row means "not yet": close the palette and try again.
 */
export async function runCommand(page, title, { timeoutMs = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const row = page.locator(QUICK_INPUT_ROW).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
  let attempts = 0;
  while (Date.now() < deadline) {
    attempts += 1;
    await page.keyboard.press('F1');
    const input = page.locator(QUICK_INPUT_BOX);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    try {
      await row.first().waitFor({ state: 'visible', timeout: 3_000 });
      await row.first().click();
      return attempts;
    } catch {
      await page.keyboard.press('Escape');
      await sleep(2_000);
    }
  }
  throw new Error(`command "${title}" did not appear in the palette within ${timeoutMs / 1000} s (${attempts} attempts)`);
}

/** Waits until the quick input's title contains `text` (each step of a multi-step prompt has its own title). */
export async function waitForQuickInputTitle(page, text, timeoutMs = 10_000) {
  await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: text }).waitFor({ state: 'visible', timeout: timeoutMs });
}

export async function pickQuickItem(page, label, timeoutMs = 10_000) {
  await page.locator(QUICK_INPUT_BOX).fill(label);
  const row = page.locator(QUICK_INPUT_ROW).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
  await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  await row.first().click();
}

export async function typeIntoInputBox(page, text) {
  await page.locator(QUICK_INPUT_BOX).fill(text);
}

/** The validation message an input box shows under its field, once it says something. */
export async function inputBoxMessage(page, expected, timeoutMs = 5_000) {
  const message = page.locator(`${QUICK_INPUT} .quick-input-message`, { hasText: expected });
  await message.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await message.textContent()) ?? '';
}

export async function acceptInputBox(page) {
  await page.locator(QUICK_INPUT_BOX).press('Enter');
}

/**
 * The inner documents of every ready webview, as frame locators. A webview is an iframe (class `webview ready`)
 * holding another iframe (`#active-frame`) with the extension's page.
 */
export async function webviewFrames(page) {
  const outer = page.locator('iframe.webview.ready');
  const count = await outer.count();
  const frames = [];
  for (let index = 0; index < count; index++) frames.push(outer.nth(index).contentFrame().frameLocator('iframe#active-frame'));
  return frames;
}

/** The first webview whose page has `selector` visible; waits for it to appear. */
export async function webviewWith(page, selector, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of await webviewFrames(page)) {
      if (await frame.locator(selector).isVisible().catch(() => false)) return frame;
    }
    await sleep(250);
  }
  throw new Error(`no webview showed ${selector} within ${timeoutMs / 1000} s`);
}
