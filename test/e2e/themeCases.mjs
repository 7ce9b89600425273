// End-to-end cases for high-contrast themes: in Dark High Contrast and Light High Contrast the panel's Estimate tab
// redraws its charts in the theme's chart colours, and every colour its own elements use (text, backgrounds,
// borders, outlines) is the value of one of the theme's --vscode-* variables or transparent.
import { pickQuickItem, runCommand, sleep } from './workbench.mjs';

export const THEME_CASE = {
  highContrastDark: 'Dark High Contrast: charts redrawn and every panel colour is a theme variable',
  highContrastLight: 'Light High Contrast: charts redrawn and every panel colour is a theme variable',
};

/**
 * Inside the page: the colours of the page's own visible elements that are not the value of any --vscode-* variable
 * (VS Code sets them all on <html>). The toolkit's elements (vscode-*) style themselves from the same variables and
 * are left out with their contents; the timeline legend's later-chunk swatches are theme colours moved towards the
 * background on purpose (webview/timeline/theme.ts).
 */
function auditColours() {
  const probe = document.createElement('span');
  document.body.append(probe);
  const normal = (value) => {
    probe.style.color = '';
    probe.style.color = value;
    return probe.style.color === '' ? undefined : getComputedStyle(probe).color;
  };
  const allowed = new Set(['rgba(0, 0, 0, 0)']);
  const root = document.documentElement.style;
  for (let index = 0; index < root.length; index++) {
    const name = root.item(index);
    if (!name.startsWith('--vscode-')) continue;
    const colour = normal(root.getPropertyValue(name).trim());
    if (colour) allowed.add(colour);
  }
  probe.remove();
  const strays = [];
  let checked = 0;
  for (const element of document.querySelectorAll('main *')) {
    if (element.closest('[class*="timeline-swatch"]') || element.tagName.startsWith('VSCODE-') || element.closest('vscode-single-select, vscode-button, vscode-tabs > vscode-tab-header')) continue;
    if (element.getClientRects().length === 0) continue;
    const style = getComputedStyle(element);
    const used = [['color', style.color], ['background-color', style.backgroundColor]];
    for (const side of ['top', 'right', 'bottom', 'left']) {
      if (style.getPropertyValue(`border-${side}-style`) !== 'none' && Number.parseFloat(style.getPropertyValue(`border-${side}-width`)) > 0) used.push([`border-${side}-color`, style.getPropertyValue(`border-${side}-color`)]);
    }
    if (style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0) used.push(['outline-color', style.outlineColor]);
    checked += 1;
    for (const [property, colour] of used) {
      if (!allowed.has(colour)) strays.push(`${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className && typeof element.className === 'string' ? `.${element.className.split(' ')[0]}` : ''} ${property} ${colour}`);
    }
  }
  return { checked, variables: allowed.size, strays: [...new Set(strays)] };
}

/** Pixels of a canvas in exactly the theme's --vscode-charts-blue (forward ops, parameters in the memory chart). */
function bluePixels(canvas) {
  const value = getComputedStyle(document.body).getPropertyValue('--vscode-charts-blue').trim();
  const probe = document.createElement('canvas').getContext('2d');
  probe.fillStyle = value;
  const hex = String(probe.fillStyle);
  const rgb = [1, 3, 5].map((offset) => Number.parseInt(hex.slice(offset, offset + 2), 16));
  const context = canvas.getContext('2d');
  if (!context || canvas.width === 0) return { colour: hex, pixels: 0 };
  const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
  let pixels = 0;
  for (let index = 0; index < data.length; index += 4) if (data[index + 3] === 255 && data[index] === rgb[0] && data[index + 1] === rgb[1] && data[index + 2] === rgb[2]) pixels += 1;
  return { colour: hex, pixels, bodyClass: document.body.className };
}

export async function themeScenario({ page, frame, check, assert, screenshot }) {
  for (const [testCase, theme, kind] of [[THEME_CASE.highContrastDark, 'Dark High Contrast', 'vscode-high-contrast'], [THEME_CASE.highContrastLight, 'Light High Contrast', 'vscode-high-contrast-light']]) {
    await check(testCase, async () => {
      assert(frame, 'no panel showing an estimate');
      await runCommand(page, 'Preferences: Color Theme');
      await pickQuickItem(page, theme);
      await frame.locator('[data-testid="estimate-tab"]').click();
      const deadline = Date.now() + 20_000;
      let timeline = { pixels: 0, bodyClass: '' };
      let memory = { pixels: 0 };
      while (Date.now() < deadline) {
        timeline = await frame.locator('canvas[data-testid="estimate-timeline"]').evaluate(bluePixels);
        memory = await frame.locator('canvas[data-testid="memory-chart"]').evaluate(bluePixels);
        if (timeline.bodyClass.split(' ').includes(kind) && timeline.pixels > 0 && memory.pixels > 0) break;
        await sleep(300);
      }
      await sleep(300);
      await screenshot(`e2e-theme-${kind}.png`);
      assert(timeline.bodyClass.split(' ').includes(kind), `body class is "${timeline.bodyClass}"`);
      assert(timeline.pixels > 0 && memory.pixels > 0, `charts not in the theme's blue ${timeline.colour}: timeline ${timeline.pixels} px, memory ${memory.pixels} px`);
      const audit = await frame.locator('main').evaluate(auditColours);
      assert(audit.strays.length === 0, `${audit.strays.length} colours not from the theme: ${audit.strays.slice(0, 6).join('; ')}`);
      return `${audit.checked} elements, all colours among ${audit.variables} theme values; blue ${timeline.colour}: timeline ${timeline.pixels} px, memory ${memory.pixels} px`;
    });
  }
}
