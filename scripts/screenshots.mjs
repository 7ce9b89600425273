// `npm run screenshots`: pictures of the wide panel for the docs, taken from the packaged extension in code-server
// (the same setup as the end-to-end test): the DeepSeek-V3 example with the panel beside it, in Dark Modern and
// Light Modern, written to docs/images/. Needs what the end-to-end test needs (scripts/e2e-setup.sh).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, installExtension, runFolders, startCodeServer, stopProcessGroup, waitForHealthy } from '../test/e2e/codeServer.mjs';
import { openFile } from '../test/e2e/editor.mjs';
import { pickQuickItem, runCommand, sleep, waitForWorkbench, webviewFrames } from '../test/e2e/workbench.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUN = join(ROOT, 'test-results', `screenshots-${process.pid}`);
const OUT = join(ROOT, 'docs', 'images');
const EXAMPLE = 'deepseek-v3.plens.yaml';

const setup = spawnSync('bash', [join(ROOT, 'scripts', 'e2e-setup.sh')], { encoding: 'utf8' });
const codeServer = /ready: (.+code-server)\s*$/m.exec(setup.stdout ?? '')?.[1];
if (!codeServer) throw new Error(`scripts/e2e-setup.sh did not report code-server: ${setup.stderr}`);
const packaged = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
if (packaged.status !== 0) throw new Error(`npm run package failed: ${packaged.stderr}`);

const folders = runFolders(RUN);
const workspace = join(RUN, 'workspace');
mkdirSync(workspace, { recursive: true });
cpSync(join(ROOT, 'examples', EXAMPLE), join(workspace, EXAMPLE));
installExtension(codeServer, folders, join(ROOT, 'parallelism-lens.vsix'));
const port = await freePort();
const server = startCodeServer(codeServer, folders, port, workspace, join(RUN, 'code-server.log'));
let context;
try {
  await waitForHealthy(port, 30_000);
  const { chromium } = await import('playwright-core');
  context = await chromium.launchPersistentContext(folders.browserProfile, {
    executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1680, height: 1050 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await waitForWorkbench(page, 60_000);
  const editor = await openFile(page, EXAMPLE);
  await editor.locator('.codelens-decoration').filter({ hasText: 'MFU' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  // The editor and the panel only: no side bar, no bottom panel.
  await runCommand(page, 'View: Close Primary Side Bar');
  await runCommand(page, 'View: Close Panel').catch(() => undefined);
  await editor.locator('.codelens-decoration a').filter({ hasText: 'MFU' }).first().click();
  mkdirSync(OUT, { recursive: true });
  for (const [theme, name] of [['Dark Modern', 'panel-dark.png'], ['Light Modern', 'panel-light.png']]) {
    await runCommand(page, 'Preferences: Color Theme');
    await pickQuickItem(page, theme);
    // Away from any button, so no tooltip covers the picture.
    await page.mouse.move(300, 900);
    await sleep(2_500);
    const frames = await webviewFrames(page);
    if (frames.length === 0) throw new Error('no panel page');
    await page.screenshot({ path: join(OUT, name) });
    console.log(`wrote docs/images/${name}`);
  }
} finally {
  await context?.close().catch(() => undefined);
  await stopProcessGroup(server);
  rmSync(RUN, { recursive: true, force: true });
}
writeFileSync(join(OUT, 'README.md'), '# Screenshots\n\nTaken by `npm run screenshots` (code-server + Chromium, the packaged extension) from `examples/deepseek-v3.plens.yaml` with the panel opened from its CodeLens.\n');
