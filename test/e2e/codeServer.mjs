// Starting and stopping code-server (VS Code's web build) for one test run, with everything it writes kept
// inside the run's folder. Recipe and traps: the team's E2E reference ("Running it").
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A port nobody listens on right now (the kernel picks it; a race with another process is unlikely). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Folders of one run: user data, extensions, HOME and TMPDIR of code-server, and the browser profile. */
export function runFolders(runDir) {
  const folders = {
    userData: join(runDir, 'user-data'),
    extensions: join(runDir, 'extensions'),
    home: join(runDir, 'home'),
    tmp: join(runDir, 'tmp'),
    browserProfile: join(runDir, 'browser-profile'),
  };
  for (const folder of Object.values(folders)) mkdirSync(folder, { recursive: true });
  mkdirSync(join(folders.userData, 'User'), { recursive: true });
  // No welcome page, no telemetry, no trust prompt, no update checks: nothing between the test and the workbench.
  writeFileSync(
    join(folders.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'security.workspace.trust.enabled': false,
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        // The run folder sits inside the project's git clone; the offer to open it would cover the panel.
        'git.openRepositoryInParentFolders': 'never',
      },
      null,
      2,
    ),
  );
  return folders;
}

function environment(folders) {
  return { ...process.env, HOME: folders.home, TMPDIR: folders.tmp, XDG_CONFIG_HOME: join(folders.home, '.config'), XDG_DATA_HOME: join(folders.home, '.local', 'share') };
}

export function installExtension(codeServer, folders, vsixPath) {
  const result = spawnSync(codeServer, ['--user-data-dir', folders.userData, '--extensions-dir', folders.extensions, '--install-extension', vsixPath], {
    env: environment(folders),
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`code-server --install-extension failed (status ${result.status}): ${output.slice(-600)}`);
  }
  return output;
}

/**
 * Starts code-server in its own session (detached = setsid), so that stopping it can kill the whole process
 * group: it leaves extension hosts behind otherwise.
 */
export function startCodeServer(codeServer, folders, port, workspace, logPath) {
  const log = openSync(logPath, 'a');
  const child = spawn(
    codeServer,
    [
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--user-data-dir', folders.userData,
      '--extensions-dir', folders.extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspace,
    ],
    { env: environment(folders), detached: true, stdio: ['ignore', log, log] },
  );
  return child;
}

export async function waitForHealthy(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer /healthz within ${timeoutMs / 1000} s (${lastError})`);
}

/** TERM to the whole group, then KILL to whatever is left a moment later. Safe to call twice. */
export async function stopProcessGroup(child) {
  if (!child || child.pid === undefined) return;
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  if (!signalGroup('SIGTERM')) return;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  signalGroup('SIGKILL');
}
