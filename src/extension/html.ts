// The panel's page: a fixed skeleton with no data in it. Every figure arrives later by postMessage and is
// written with textContent (DESIGN.md §7), so nothing from a config file is ever parsed as HTML.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Only these folders of the extension can be loaded by the page. */
export function panelResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function panelWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: panelResourceRoots(extensionUri) };
}

/** 128 random bits, hex so that it is a valid CSP nonce in any grammar version. */
export function makeNonce(): string {
  return randomBytes(16).toString('hex');
}

export function renderPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce = makeNonce()): string {
  const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp};">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${asset('dist', 'codicons', 'codicon.css')}">
  <link rel="stylesheet" href="${asset('media', 'panel.css')}">
  <title>Parallelism Lens</title>
</head>
<body>
  <main id="app">
    <form id="controls" class="controls" data-testid="controls" aria-label="Schedule">
      <div class="control">
        <vscode-label for="schedule">Schedule</vscode-label>
        <vscode-single-select id="schedule" data-testid="schedule-select"></vscode-single-select>
      </div>
      <div class="control narrow">
        <vscode-label for="pp">Pipeline ranks</vscode-label>
        <vscode-textfield id="pp" data-testid="pp-input" inputmode="numeric"></vscode-textfield>
      </div>
      <div class="control narrow">
        <vscode-label for="microbatches">Micro-batches</vscode-label>
        <vscode-textfield id="microbatches" data-testid="microbatches-input" inputmode="numeric"></vscode-textfield>
      </div>
      <div class="control narrow" id="chunks-control" hidden>
        <vscode-label for="chunks">Chunks per rank</vscode-label>
        <vscode-textfield id="chunks" data-testid="chunks-input" inputmode="numeric"></vscode-textfield>
      </div>
      <vscode-button id="run" data-testid="run-button" icon="play" type="submit">Run</vscode-button>
    </form>
    <p id="error" class="error" role="alert" data-testid="error" hidden></p>
    <p id="status" class="note" role="status" data-testid="status" hidden></p>
    <p id="empty" class="empty" data-testid="empty">Pick a schedule and a size, then Run — or use “Parallelism Lens: Show Schedule…”.</p>
    <section id="result" class="result" data-testid="result" hidden>
      <h2 id="title" data-testid="schedule-title"></h2>
      <p id="omitted" class="note" data-testid="ops-omitted" hidden></p>
      <div class="result-body">
        <div id="chart-column" class="chart-column">
          <div id="chart-box" class="chart-box">
            <canvas id="timeline" data-testid="timeline" role="img" aria-label="Per-rank pipeline timeline"></canvas>
          </div>
          <p id="chart-note" class="note" data-testid="chart-note"></p>
        </div>
        <div class="figures">
          <dl class="headline">
            <dt>Makespan</dt><dd id="makespan" data-testid="makespan"></dd>
            <dt title="The largest idle time of any rank, measured against the makespan">Bubble (max idle)</dt><dd id="max-idle" data-testid="max-idle"></dd>
            <dt>Bubble fraction</dt><dd id="bubble-fraction" data-testid="bubble-fraction"></dd>
            <dt>Closed form</dt><dd id="closed-form-formula" data-testid="closed-form-formula"></dd>
            <dt>Closed-form bubble</dt><dd id="closed-form-bubble" data-testid="closed-form-bubble"></dd>
            <dt>Closed form holds</dt><dd id="closed-form-holds" data-testid="closed-form-holds"></dd>
            <dt title="The most micro-batch activations any rank holds at once">Peak activations</dt><dd id="peak-activations-max" data-testid="peak-activations-max"></dd>
          </dl>
          <table class="ranks" data-testid="ranks-table">
            <caption>Per rank (costs <span id="costs" data-testid="costs"></span>)</caption>
            <thead>
              <tr><th scope="col">Rank</th><th scope="col">Busy</th><th scope="col">Idle</th><th scope="col">Idle in own span</th><th scope="col">Peak act.</th></tr>
            </thead>
            <tbody id="ranks"></tbody>
          </table>
        </div>
      </div>
    </section>
    <div id="csp-violations" data-testid="csp-violations" data-count="0" hidden></div>
  </main>
  <script nonce="${nonce}" src="${asset('dist', 'webview.js')}"></script>
</body>
</html>`;
}
