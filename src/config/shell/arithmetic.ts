// `$(( … ))` after parameter expansion: integer + - * / % ** and parentheses, as bash evaluates them
// (division truncates toward zero). Names without `$` are variables; an unset or non-numeric name reads as 0
// in bash, and is reported so the caller can mark the result unresolved.
export interface ArithmeticResult {
  value: number | undefined;
  names: string[];
}

type Lookup = (name: string) => string | undefined;

const MAX_TOKENS = 2_000;

export function evaluateArithmetic(expression: string, lookup: Lookup): ArithmeticResult {
  const tokens = expression.match(/0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*|\*\*|[-+*/%()]|\S/g) ?? [];
  if (tokens.length > MAX_TOKENS) return { value: undefined, names: [] };
  const names: string[] = [];
  let position = 0;
  let failed = false;

  const primary = (depth: number): number => {
    if (depth > 100) { failed = true; return 0; }
    const token = tokens[position++];
    if (token === undefined) { failed = true; return 0; }
    if (token === '(') {
      const value = sum(depth + 1);
      if (tokens[position++] !== ')') failed = true;
      return value;
    }
    if (token === '-') return -primary(depth + 1);
    if (token === '+') return primary(depth + 1);
    if (/^(0[xX][0-9a-fA-F]+|\d+)$/.test(token)) return Number(token);
    if (/^[A-Za-z_]\w*$/.test(token)) {
      const text = lookup(token);
      const value = text === undefined ? Number.NaN : Number(text.trim());
      if (!Number.isFinite(value)) { names.push(token); return 0; }
      return value;
    }
    failed = true;
    return 0;
  };
  const power = (depth: number): number => {
    const base = primary(depth);
    if (tokens[position] === '**') { position++; return base ** power(depth + 1); }
    return base;
  };
  const product = (depth: number): number => {
    let value = power(depth);
    for (let op = tokens[position]; op === '*' || op === '/' || op === '%'; op = tokens[position]) {
      position++;
      const right = power(depth);
      if ((op === '/' || op === '%') && right === 0) { failed = true; return 0; }
      value = op === '*' ? value * right : op === '/' ? Math.trunc(value / right) : value % right;
    }
    return value;
  };
  const sum = (depth: number): number => {
    let value = product(depth);
    for (let op = tokens[position]; op === '+' || op === '-'; op = tokens[position]) {
      position++;
      const right = product(depth);
      value = op === '+' ? value + right : value - right;
    }
    return value;
  };

  const value = sum(0);
  if (failed || position !== tokens.length || !Number.isFinite(value)) return { value: undefined, names };
  return { value, names };
}
