/** Timing the steps of a slow test (packing, installing) for its report. */
export async function timed<T>(timings: Record<string, number>, label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[label] = Math.round(performance.now() - t0);
  }
}
