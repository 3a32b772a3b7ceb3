// Peak memory of a piece of work, shared by the benchmarks.

/** Samples RSS every 20 ms while `work` runs; returns the peak growth in MB. */
export async function peakRssGrowthMb(work: () => Promise<void>): Promise<number> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return (Math.max(peak, process.memoryUsage().rss) - base) / 1024 / 1024;
}
