// What every chart.js chart of the panel takes from the VS Code theme: text colour, grid lines and the font, read
// from the theme's CSS variables at draw time so a theme change redraws in the new colours.

export interface ChartTheme {
  foreground: string;
  grid: string;
  /** The editor font, one point smaller than the body text, as chart.js takes it. */
  font: { family: string; size: number };
}

/** A theme variable's value, or the fallback when the theme does not define it. */
export function themeColour(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function readChartTheme(style: CSSStyleDeclaration = getComputedStyle(document.body)): ChartTheme {
  const css = (name: string, fallback: string) => themeColour(style, name, fallback);
  return {
    foreground: css('--vscode-foreground', '#cccccc'),
    grid: css('--vscode-editorWidget-border', css('--vscode-panel-border', '#80808059')),
    font: { family: css('--vscode-font-family', 'sans-serif'), size: Math.max(10, (Number.parseFloat(css('--vscode-font-size', '13')) || 13) - 1) },
  };
}
