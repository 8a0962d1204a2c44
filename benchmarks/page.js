// Installed in every benchmark page before the page's own scripts (Playwright init script).
// Records the widget's glossary:ready event with the time it arrived, and the long tasks, long
// animation frames and layout shifts the browser reports, so annotate.py can read them after the
// scan.
(() => {
  const bench = (window.__bench = { ready: null, longTasks: [], longFrames: [], shifts: [], injectedAt: null });

  document.addEventListener("glossary:ready", (event) => {
    if (!bench.ready) bench.ready = { ...event.detail, at: performance.now() };
  });

  const observe = (type, record) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(record)).observe({ type, buffered: true });
    } catch {
      // An entry type this browser does not support: its list stays empty.
    }
  };
  observe("longtask", (entry) => bench.longTasks.push([entry.startTime, entry.duration]));
  // Frames over 50 ms with their rendering: the layout of what a script changed runs in the
  // browser's rendering task, which the Long Tasks API counts only when a script callback ran in it.
  observe("long-animation-frame", (entry) => bench.longFrames.push([entry.startTime, entry.duration]));
  observe("layout-shift", (entry) => {
    if (!entry.hadRecentInput) bench.shifts.push([entry.startTime, entry.value]);
  });

  /** Resolves with the first glossary:ready detail (no polling, which would load the page);
   * rejects after `ms`, so a widget that never finishes fails the run instead of hanging it. */
  bench.whenReady = (ms) =>
    new Promise((resolve, reject) => {
      if (bench.ready) return resolve(bench.ready);
      document.addEventListener("glossary:ready", () => resolve(bench.ready), { once: true });
      setTimeout(() => reject(new Error(`no glossary:ready within ${ms} ms`)), ms);
    });

  /** Resolves after two frames and `ms` of quiet: the page has been laid out and painted. */
  bench.settle = (ms) =>
    new Promise((resolve) =>
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, ms))));

  /** Adds the widget's script tag now, as a site would; returns when that happened. */
  bench.inject = (src, data) => {
    const script = document.createElement("script");
    Object.assign(script.dataset, data);
    script.src = src;
    bench.injectedAt = performance.now();
    document.body.append(script);
    return bench.injectedAt;
  };
})();
