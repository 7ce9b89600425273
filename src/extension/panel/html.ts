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
    // The timeline's replay worker: its script is fetched from the extension and started from a blob URL.
    `connect-src ${webview.cspSource}`,
    'worker-src blob:',
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
  <main id="app" data-timeline-worker="${asset('dist', 'timelineWorker.js')}">
    <div class="surface-actions" id="surface-actions" hidden>
      <vscode-button id="open-beside" data-testid="open-beside" icon="split-horizontal" secondary title="The timeline and memory charts side by side, in an editor column beside the config">Open wide beside the editor</vscode-button>
    </div>
    <vscode-tabs id="tabs" data-testid="tabs" selected-index="1">
      <vscode-tab-header slot="header" id="estimate-tab" data-testid="estimate-tab">Estimate</vscode-tab-header>
      <vscode-tab-panel id="estimate-panel" data-testid="estimate-panel">
        <p id="estimate-empty" class="empty" data-testid="estimate-empty">Open a training config (a Megatron-LM script, NeMo or torchtitan config, DeepSpeed JSON or a *.plens.yaml) to see its estimate here.</p>
        <section id="estimate" class="estimate" data-testid="estimate" hidden>
          <div class="estimate-head">
            <h2 id="estimate-title" data-testid="estimate-title"></h2>
            <div class="export-actions">
              <vscode-button id="export-html" data-testid="export-html" icon="export" secondary title="A self-contained HTML report of this estimate: figures, tables and where each value came from (no scripts, nothing loaded from elsewhere)">Export HTML…</vscode-button>
              <vscode-button id="export-csv" data-testid="export-csv" icon="table" secondary title="Every table of this estimate as CSV, raw SI values">Export CSV…</vscode-button>
            </div>
          </div>
          <p id="estimate-design" class="note" data-testid="estimate-design"></p>
          <form id="what-if" class="controls" data-testid="what-if" aria-label="What-if">
            <div class="control">
              <vscode-label for="what-if-schedule">Schedule</vscode-label>
              <vscode-single-select id="what-if-schedule" data-testid="what-if-schedule"></vscode-single-select>
            </div>
            <div class="control narrow">
              <vscode-label for="what-if-pp">PP</vscode-label>
              <vscode-textfield id="what-if-pp" data-testid="what-if-pp" inputmode="numeric"></vscode-textfield>
            </div>
            <div class="control narrow">
              <vscode-label for="what-if-mbs">Micro-batch size</vscode-label>
              <vscode-textfield id="what-if-mbs" data-testid="what-if-mbs" inputmode="numeric"></vscode-textfield>
            </div>
            <vscode-button id="what-if-run" data-testid="what-if-run" icon="beaker" type="submit">What if</vscode-button>
            <vscode-button id="what-if-reset" data-testid="what-if-reset" secondary hidden>File values</vscode-button>
          </form>
          <p id="what-if-note" class="what-if-note" role="status" data-testid="what-if-note" hidden></p>
          <p id="estimate-unavailable" class="error" role="alert" data-testid="estimate-unavailable" hidden></p>
          <div id="estimate-body" data-testid="estimate-body">
            <dl id="estimate-figures" class="figures-grid" data-testid="estimate-figures"></dl>
            <div class="estimate-charts" data-testid="estimate-charts">
              <section class="chart-card memory-card">
                <h3>Memory per GPU, by pipeline rank</h3>
                <div id="memory-box" class="chart-box"><canvas id="memory-chart" data-testid="memory-chart" role="img" aria-label="Memory per GPU by pipeline rank, stacked, against the GPU's HBM"></canvas></div>
                <p id="memory-note" class="note" data-testid="memory-note"></p>
              </section>
              <section class="chart-card timeline-card">
                <h3>The designed step, per pipeline rank</h3>
                <div id="estimate-timeline-box"><canvas id="estimate-timeline" data-testid="estimate-timeline" role="img" aria-label="Per-rank timeline of the estimated step"></canvas></div>
              </section>
            </div>
            <h3>Where the step goes</h3>
            <table class="waterfall" data-testid="waterfall-table">
              <thead><tr><th scope="col">Part of the step (busiest rank)</th><th scope="col">Time</th><th scope="col">Share</th><th scope="col" class="waterfall-bar-col">Waterfall</th></tr></thead>
              <tbody id="waterfall-rows"></tbody>
              <tfoot><tr><th scope="row">Step time</th><td id="waterfall-total" data-testid="waterfall-total"></td><td>100%</td><td></td></tr></tfoot>
            </table>
            <h3>Traffic per GPU per step</h3>
            <table class="ranks traffic" data-testid="traffic-table">
              <thead><tr><th scope="col">Dimension</th><th scope="col">NVLink</th><th scope="col">InfiniBand</th></tr></thead>
              <tbody id="traffic-rows"></tbody>
            </table>
            <dl class="headline" data-testid="traffic-figures">
              <dt>InfiniBand per token</dt><dd id="ib-per-token" data-testid="ib-per-token"></dd>
              <dt title="Communication the schedule does not hide behind compute, on the busiest rank">Exposed communication</dt><dd id="exposed-comm" data-testid="exposed-comm"></dd>
              <dt title="Compute over communication of one MoE layer (one layer for a dense model), without overlap">Compute : communication</dt><dd id="compute-comm" data-testid="compute-comm"></dd>
            </dl>
          </div>
          <h3>Problems</h3>
          <ul id="estimate-problems" class="problems" data-testid="estimate-problems"></ul>
          <details class="assumptions" open>
            <summary>Where each value came from</summary>
            <table class="ranks assumptions-table" data-testid="assumptions-table">
              <thead><tr><th scope="col">Setting</th><th scope="col">Used</th><th scope="col">From</th></tr></thead>
              <tbody id="assumptions"></tbody>
            </table>
          </details>
        </section>
      </vscode-tab-panel>
      <vscode-tab-header slot="header" id="schedule-tab" data-testid="schedule-tab">Schedule</vscode-tab-header>
      <vscode-tab-panel id="schedule-panel" data-testid="schedule-panel">
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
          <div class="result-body">
            <div id="chart-column" class="chart-column">
              <div id="chart-box">
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
      </vscode-tab-panel>
      <vscode-tab-header slot="header" id="search-tab" data-testid="search-tab">Search</vscode-tab-header>
      <vscode-tab-panel id="search-panel" data-testid="search-panel">
        <div class="controls">
          <vscode-button id="search-run" data-testid="search-run" icon="search">Search layouts</vscode-button>
        </div>
        <p id="search-summary" class="note" role="status" data-testid="search-summary">Search the layouts of the active config: TP, PP, VPP, EP, CP, DP and ZeRO, schedule, micro-batch size and recomputation, ranked by step time. Apply writes a row into the file as one edit you can undo.</p>
        <div id="search-scatter-box" class="chart-box scatter" data-testid="search-scatter-box" hidden><canvas id="search-scatter" data-testid="search-scatter" role="img" aria-label="Step time against peak memory of each layout, the Pareto front joined"></canvas></div>
        <div class="table-scroll">
          <table class="ranks search-table" data-testid="search-table" hidden>
            <thead><tr id="search-head"></tr></thead>
            <tbody id="search-rows"></tbody>
          </table>
        </div>
      </vscode-tab-panel>
      <vscode-tab-header slot="header" id="compare-tab" data-testid="compare-tab">Compare</vscode-tab-header>
      <vscode-tab-panel id="compare-panel" data-testid="compare-panel">
        <div class="controls">
          <vscode-button id="compare-with" data-testid="compare-with" icon="diff" title="Another config of the workspace, or this one with another schedule, PP or micro-batch size">Compare with…</vscode-button>
        </div>
        <section id="comparison" class="comparison" data-testid="comparison" hidden>
          <h2><span id="comparison-left" data-testid="comparison-left"></span> (A) against <span id="comparison-right" data-testid="comparison-right"></span> (B)</h2>
          <p id="comparison-left-summary" class="note" data-testid="comparison-left-summary"></p>
          <p id="comparison-right-summary" class="note" data-testid="comparison-right-summary"></p>
          <p id="comparison-notes" class="what-if-note" role="status" data-testid="comparison-notes" hidden></p>
          <div class="table-scroll">
            <table class="ranks comparison-table" data-testid="comparison-figures-table">
              <thead><tr><th scope="col">Figure</th><th scope="col">A</th><th scope="col">B</th><th scope="col">Δ (B − A)</th><th scope="col">%</th><th scope="col">B is</th></tr></thead>
              <tbody id="comparison-figures"></tbody>
            </table>
            <h3>Settings</h3>
            <table class="ranks comparison-table" data-testid="comparison-settings-table">
              <thead><tr><th scope="col">Setting</th><th scope="col">A</th><th scope="col">B</th><th scope="col"></th></tr></thead>
              <tbody id="comparison-settings"></tbody>
            </table>
          </div>
        </section>
        <h2>Schedules at this config's size</h2>
        <p id="schedules-summary" class="note" data-testid="schedules-summary">Open a training config to compare its schedules.</p>
        <div id="schedules-body" data-testid="schedules-body" hidden>
          <div class="schedule-charts" data-testid="schedule-charts">
            <div class="chart-box small"><canvas id="schedules-makespan" data-testid="schedules-makespan" role="img" aria-label="Pipeline makespan per schedule"></canvas></div>
            <div class="chart-box small"><canvas id="schedules-bubble" data-testid="schedules-bubble" role="img" aria-label="Pipeline bubble per schedule"></canvas></div>
            <div class="chart-box small"><canvas id="schedules-activations" data-testid="schedules-activations" role="img" aria-label="Peak activation memory per schedule"></canvas></div>
          </div>
          <div class="table-scroll">
            <table class="ranks schedules-table" data-testid="schedules-table">
              <thead><tr><th scope="col">Schedule</th><th scope="col">Step</th><th scope="col">Makespan</th><th scope="col">Bubble</th><th scope="col">Peak activations</th><th scope="col">Peak / HBM</th></tr></thead>
              <tbody id="schedules-rows"></tbody>
            </table>
          </div>
        </div>
      </vscode-tab-panel>
    </vscode-tabs>
    <div id="csp-violations" data-testid="csp-violations" data-count="0" hidden></div>
  </main>
  <script nonce="${nonce}" src="${asset('dist', 'webview.js')}"></script>
</body>
</html>`;
}
