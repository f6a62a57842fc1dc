/** The value at a dotted path (`data.total_count`) inside parsed JSON; `undefined` where the path leaves objects. */
export function valueAt(node: unknown, dotted: string): unknown {
  let value = node;
  for (const key of dotted.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
