/**
 * Kubernetes quantities ("500m", "0.5", "1Gi", "1024Mi", "1e3") as numbers, so that parity
 * compares values rather than spellings: "500m" CPU equals "0.5", "1Gi" equals "1024Mi".
 */
const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

const QUANTITY_RE = /^([+-]?[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

export function parseQuantity(text: string): number | null {
  const m = QUANTITY_RE.exec(text.trim());
  if (!m) return null;
  const factor = SUFFIX[m[2] ?? ''];
  return factor === undefined ? null : Number(m[1]) * factor;
}

/** true when both are absent, or both parse to the same value (within float noise), or are the same text */
export function sameQuantity(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a === b) return true;
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (x === null || y === null) return false;
  return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}
