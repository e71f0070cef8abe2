// DynamoDB JSON (attribute values) <-> plain JSON, and short cell texts for the grid.
const TYPES = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"];

export const avType = (av) => (av && typeof av === "object" ? Object.keys(av)[0] : undefined);

// Whether a plain JSON value can stand for av exactly (no sets, no binary, numbers that survive a double).
export function plainExact(av) {
  const t = avType(av);
  if (t === "N") return String(Number(av.N)) === av.N;
  if (t === "B" || t === "SS" || t === "NS" || t === "BS") return false;
  if (t === "M") return Object.values(av.M).every(plainExact);
  if (t === "L") return av.L.every(plainExact);
  return true;
}

export function toPlain(av) {
  const t = avType(av);
  const v = av[t];
  switch (t) {
    case "S": return v;
    case "N": return String(Number(v)) === v ? Number(v) : v;
    case "BOOL": return v;
    case "NULL": return null;
    case "M": return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
    case "L": return v.map(toPlain);
    case "B": return v;
    case "SS": case "NS": case "BS": return [...v];
    default: return v;
  }
}
export const itemToPlain = (item) => Object.fromEntries(Object.entries(item).map(([k, v]) => [k, toPlain(v)]));

export function fromPlain(v) {
  if (v === null) return { NULL: true };
  if (typeof v === "string") return { S: v };
  if (typeof v === "number") return { N: String(v) };
  if (typeof v === "boolean") return { BOOL: v };
  if (Array.isArray(v)) return { L: v.map(fromPlain) };
  if (typeof v === "object") return { M: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromPlain(x)])) };
  throw new Error(`cannot store ${typeof v}`);
}
export function itemFromPlain(obj) {
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) throw new Error("an item is a JSON object");
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fromPlain(v)]));
}

// Whether every value of obj looks like an attribute value ({"S": ...} etc.): DynamoDB JSON.
export const looksLikeDdb = (obj) => obj && typeof obj === "object" && !Array.isArray(obj) &&
  Object.values(obj).every((v) => v && typeof v === "object" && Object.keys(v).length === 1 && TYPES.includes(Object.keys(v)[0]));

// The text of a grid cell (at most max characters).
export function cellText(av, max = 200) {
  if (av === undefined) return "";
  const t = avType(av);
  let s;
  switch (t) {
    case "S": s = av.S; break;
    case "N": s = av.N; break;
    case "BOOL": s = String(av.BOOL); break;
    case "NULL": s = "null"; break;
    case "B": s = `b64:${av.B}`; break;
    default: s = JSON.stringify(toPlain(av));
  }
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

// A comparable key for an item's primary key (for diffs and de-duplication).
export const keyOf = (item, keys) => JSON.stringify(keys.map((k) => item[k]));

export const deepEqual = (a, b) => JSON.stringify(a) === JSON.stringify(b);
