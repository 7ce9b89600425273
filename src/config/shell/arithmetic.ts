// `$(( … ))` after parameter expansion: integer + - * / % ** and parentheses, as bash evaluates them: in signed
// 64-bit integers that wrap on overflow (so 2**63 is -9223372036854775808 and 2**64 is 0), division truncating
// toward zero, a leading 0 meaning octal. Names without `$` are variables; an unset or non-numeric name reads as 0
// in bash, and is reported so the caller can mark the result unresolved.
export interface ArithmeticResult {
  value: number | undefined;
  names: string[];
}

type Lookup = (name: string) => string | undefined;

const MAX_TOKENS = 2_000;

/** Bash's integer: every intermediate result wraps to signed 64 bits. */
const wrap = (value: bigint): bigint => BigInt.asIntN(64, value);

/** A literal as bash reads it: 0x… hexadecimal, 0… octal, else decimal; undefined when not one (08 is an error). */
function literal(text: string): bigint | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return wrap(BigInt(text));
  if (/^0[0-7]+$/.test(text)) return wrap(BigInt(`0o${text.slice(1)}`));
  if (/^(0|[1-9]\d*)$/.test(text)) return wrap(BigInt(text));
  return undefined;
}

/** base ** exponent modulo 2^64 by squaring, so 2**100000000 costs 27 steps, not a huge number. */
function power64(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let factor = base;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = wrap(result * factor);
    factor = wrap(factor * factor);
  }
  return result;
}

export function evaluateArithmetic(expression: string, lookup: Lookup): ArithmeticResult {
  const tokens = expression.match(/0[xX][0-9a-fA-F]+|\d\w*|[A-Za-z_]\w*|\*\*|[-+*/%()]|\S/g) ?? [];
  if (tokens.length > MAX_TOKENS) return { value: undefined, names: [] };
  const names: string[] = [];
  let position = 0;
  let failed = false;

  const primary = (depth: number): bigint => {
    if (depth > 100) { failed = true; return 0n; }
    const token = tokens[position++];
    if (token === undefined) { failed = true; return 0n; }
    if (token === '(') {
      const value = sum(depth + 1);
      if (tokens[position++] !== ')') failed = true;
      return value;
    }
    if (token === '-') return wrap(-primary(depth + 1));
    if (token === '+') return primary(depth + 1);
    if (/^\d/.test(token)) {
      const value = literal(token);
      if (value === undefined) failed = true;
      return value ?? 0n;
    }
    if (/^[A-Za-z_]\w*$/.test(token)) {
      const text = lookup(token)?.trim();
      const value = text === undefined ? undefined : /^[-+]/.test(text) ? signed(text) : literal(text);
      if (value === undefined) { names.push(token); return 0n; }
      return value;
    }
    failed = true;
    return 0n;
  };
  const signed = (text: string): bigint | undefined => {
    const value = literal(text.slice(1).trim());
    return value === undefined ? undefined : text.startsWith('-') ? wrap(-value) : value;
  };
  const power = (depth: number): bigint => {
    const base = primary(depth);
    if (tokens[position] === '**') {
      position++;
      const exponent = power(depth + 1);
      // bash: "exponent less than 0".
      if (exponent < 0n) { failed = true; return 0n; }
      return power64(base, exponent);
    }
    return base;
  };
  const product = (depth: number): bigint => {
    let value = power(depth);
    for (let op = tokens[position]; op === '*' || op === '/' || op === '%'; op = tokens[position]) {
      position++;
      const right = power(depth);
      if ((op === '/' || op === '%') && right === 0n) { failed = true; return 0n; }
      // BigInt division truncates toward zero and % takes the dividend's sign, as bash's do.
      value = wrap(op === '*' ? value * right : op === '/' ? value / right : value % right);
    }
    return value;
  };
  const sum = (depth: number): bigint => {
    let value = product(depth);
    for (let op = tokens[position]; op === '+' || op === '-'; op = tokens[position]) {
      position++;
      const right = product(depth);
      value = wrap(op === '+' ? value + right : value - right);
    }
    return value;
  };

  const value = sum(0);
  if (failed || position !== tokens.length) return { value: undefined, names };
  return { value: Number(value), names };
}
