// Reading the schedule panel from inside its webview: the figures by their data-testid, the timeline by its
// pixels, the CSP monitor's count. The page's ids are its test interface (webview/, src/extension/panel/html.ts).

function number(text, what) {
  const value = Number.parseFloat((text ?? '').trim());
  if (!Number.isFinite(value)) throw new Error(`${what} shows "${text}", not a number`);
  return value;
}

export async function waitForFigures(frame, timeoutMs = 30_000) {
  await frame.locator('[data-testid="makespan"]').filter({ hasText: /\d/ }).waitFor({ state: 'visible', timeout: timeoutMs });
}

export async function readFigures(frame) {
  const text = (testId) => frame.locator(`[data-testid="${testId}"]`).textContent();
  // One round trip for the whole table: 64 ranks would otherwise be 128 cross-frame queries.
  const rows = await frame.locator('[data-testid="ranks-table"]').evaluate((table) =>
    Array.from(table.querySelectorAll('tbody tr')).map((row) => ({
      id: row.getAttribute('data-testid'),
      peak: row.querySelector('[data-field="peak-activations"]')?.textContent ?? '',
      idle: row.querySelector('[data-field="idle"]')?.textContent ?? '',
    })),
  );
  const peakPerRank = [];
  const idlePerRank = [];
  rows.forEach((row, rank) => {
    if (row.id !== `rank-row-${rank}`) throw new Error(`row ${rank} of the rank table is ${row.id}`);
    peakPerRank.push(number(row.peak, `rank ${rank} peak activations`));
    idlePerRank.push(number(row.idle, `rank ${rank} idle`));
  });
  return {
    title: ((await text('schedule-title')) ?? '').trim(),
    makespan: number(await text('makespan'), 'makespan'),
    maxIdle: number(await text('max-idle'), 'max idle'),
    closedFormBubble: number(await text('closed-form-bubble'), 'closed-form bubble'),
    closedFormHolds: ((await text('closed-form-holds')) ?? '').trim(),
    closedFormFormula: ((await text('closed-form-formula')) ?? '').trim(),
    peakActivationsMax: number(await text('peak-activations-max'), 'peak activations'),
    peakPerRank,
    idlePerRank,
  };
}

/** What `plens schedule --json --summary` says the panel must show. */
export function expectedFigures(report) {
  return {
    makespan: report.makespan,
    maxIdle: Math.max(...report.ranks.map((rank) => rank.idleVsMakespan)),
    closedFormBubble: report.closedForm.bubble,
    closedFormHolds: report.closedForm.holds ? 'yes' : 'no',
    closedFormFormula: report.closedForm.formula,
    peakActivationsMax: Math.max(...report.ranks.map((rank) => rank.peakActivations)),
    peakPerRank: report.ranks.map((rank) => rank.peakActivations),
    idlePerRank: report.ranks.map((rank) => rank.idleVsMakespan),
  };
}

/** Differences between what the panel shows and what the CLI printed; the panel rounds to 3 decimals. */
export function compareFigures(shown, expected) {
  const close = (a, b) => Math.abs(a - b) <= 0.0005 * Math.max(1, Math.abs(b));
  const differences = [];
  for (const [key, want] of Object.entries(expected)) {
    const got = shown[key];
    const same = Array.isArray(want)
      ? Array.isArray(got) && got.length === want.length && want.every((value, index) => close(got[index], value))
      : typeof want === 'number'
        ? close(got, want)
        : got === want;
    if (!same) differences.push(`${key}: panel ${JSON.stringify(got)}, plens ${JSON.stringify(want)}`);
  }
  return differences;
}

/** Pixels of a canvas that something was drawn on (a canvas starts fully transparent), and its opaque colours. */
export async function countDrawnPixels(frame, testId = 'timeline') {
  return frame.locator(`canvas[data-testid="${testId}"]`).evaluate((canvas) => {
    const context = canvas.getContext('2d');
    if (!context || canvas.width === 0 || canvas.height === 0) return { drawn: 0, total: 0, colours: 0 };
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let drawn = 0;
    const colours = new Set();
    for (let index = 0; index < data.length; index += 4) {
      if (data[index + 3] === 0) continue;
      drawn += 1;
      // Opaque pixels only, coarsely binned: bar fills, not anti-aliased edges.
      if (data[index + 3] === 255) colours.add(((data[index] >> 4) << 8) | ((data[index + 1] >> 4) << 4) | (data[index + 2] >> 4));
    }
    return { drawn, total: canvas.width * canvas.height, colours: colours.size };
  });
}

/** What the page's securitypolicyviolation listener counted (webview/cspMonitor.ts). */
export async function cspViolationCount(frame) {
  const monitor = frame.locator('[data-testid="csp-violations"]');
  const count = Number(await monitor.getAttribute('data-count'));
  const details = ((await monitor.textContent()) ?? '').trim();
  return { count, details };
}

/**
 * The theme as the page sees it (body class, the forward-op colour --vscode-charts-blue) and how many canvas
 * pixels are painted exactly in that colour: full-opacity forward bars of chunk 0 are.
 */
export async function forwardColourOnCanvas(frame) {
  return frame.locator('canvas[data-testid="timeline"]').evaluate((canvas) => {
    const value = getComputedStyle(document.body).getPropertyValue('--vscode-charts-blue').trim();
    const probe = document.createElement('canvas').getContext('2d');
    if (!probe) return { bodyClass: document.body.className, colour: value, pixels: 0 };
    probe.fillStyle = value;
    const hex = String(probe.fillStyle);
    const rgb = [1, 3, 5].map((offset) => Number.parseInt(hex.slice(offset, offset + 2), 16));
    const context = canvas.getContext('2d');
    if (!context) return { bodyClass: document.body.className, colour: hex, pixels: 0 };
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let pixels = 0;
    for (let index = 0; index < data.length; index += 4) {
      if (data[index + 3] === 255 && data[index] === rgb[0] && data[index + 1] === rgb[1] && data[index + 2] === rgb[2]) pixels += 1;
    }
    return { bodyClass: document.body.className, colour: hex, pixels };
  });
}

/**
 * Each rank row of a timeline canvas read back from its pixels: whether anything is drawn in it and the share of
 * its plot width left transparent (idle), along the row's middle line. The renderer publishes its geometry in
 * device pixels as data-plot (webview/timeline/view.ts).
 */
export async function timelineRows(frame, testId) {
  return frame.locator(`canvas[data-testid="${testId}"]`).evaluate((canvas) => {
    const plot = JSON.parse(canvas.dataset.plot ?? 'null');
    const context = canvas.getContext('2d');
    if (!plot || !context) return { plot, rows: [] };
    const rows = [];
    for (let rank = 0; rank < plot.ranks; rank++) {
      const y = Math.floor(plot.top + rank * plot.pitch + plot.rowHeight / 2);
      const { data } = context.getImageData(plot.left, y, plot.width, 1);
      let drawn = 0;
      for (let index = 3; index < data.length; index += 4) if (data[index] !== 0) drawn += 1;
      rows.push({ rank, drawn, idleShare: 1 - drawn / plot.width });
    }
    return { plot, rows };
  });
}
