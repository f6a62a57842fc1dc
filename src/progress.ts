/**
 * A live progress display on stderr: one line per stream with records, pages, rate and (where an
 * estimate is known) ETA. It draws only on a terminal and never on stdout; in a pipe, or with
 * `--quiet`, it does nothing at all.
 */
import type { AirbyteMessage } from './protocol.js';

export interface ProgressTarget {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  /** Counts one batch (a page) of messages. */
  observe(batch: readonly AirbyteMessage[]): void;
  /** Draws the final state and stops the timer. */
  stop(): void;
  /** Writes a log line to the target without tearing the display: clears it, writes, redraws. */
  write(text: string): void;
  /** Shows each stream's predicted API tokens (the cost preview) beside it. */
  predict(predictions: readonly { readonly stream: string; readonly tokens: number | undefined }[]): void;
}

interface Row { records: number; pages: number; status: string; estimate?: number; started: number; tokens?: number | undefined }

const fmt = (n: number): string => n.toLocaleString('en-US');

function eta(row: Row, now: number): string {
  const elapsed = (now - row.started) / 1000;
  const rate = elapsed > 0 ? row.records / elapsed : 0;
  if (row.estimate === undefined || rate <= 0 || row.records >= row.estimate) return '';
  return ` ETA ${Math.ceil((row.estimate - row.records) / rate)} s`;
}

/** Renders the rows as text lines (exported for tests). */
export function renderRows(rows: ReadonlyMap<string, Row>, now: number, width = 100): string[] {
  const nameWidth = Math.min(28, Math.max(6, ...[...rows.keys()].map((n) => n.length)));
  return [...rows].map(([name, r]) => {
    const elapsed = (now - r.started) / 1000;
    const rate = elapsed > 0 ? Math.round(r.records / elapsed) : 0;
    const total = r.estimate !== undefined ? ` of ${fmt(r.estimate)}` : '';
    const cost = 'tokens' in r ? `, ${r.tokens === undefined ? '? tokens' : `≈${fmt(r.tokens)} tokens`}` : '';
    const line = `${name.padEnd(nameWidth)} ${r.status.padEnd(10)} ${fmt(r.records)}${total} records, ${fmt(r.pages)} pages, ${fmt(rate)}/s${eta(r, now)}${cost}`;
    return line.slice(0, Math.max(20, width - 1));
  });
}

export function createProgress(target: ProgressTarget, options: { enabled: boolean; now?: () => number; intervalMs?: number }): Progress {
  if (!options.enabled || !target.isTTY) return { observe: () => undefined, stop: () => undefined, write: (t) => { target.write(t); }, predict: () => undefined };
  const now = options.now ?? Date.now;
  const rows = new Map<string, Row>();
  let drawn = 0;
  const row = (name: string): Row => {
    let r = rows.get(name);
    if (!r) rows.set(name, (r = { records: 0, pages: 0, status: 'STARTED', started: now() }));
    return r;
  };
  const clear = (): string => (drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : '');
  const draw = (): void => {
    // A pty without a size reports 0 columns.
    const lines = renderRows(rows, now(), target.columns || 100);
    // Move up over the previous drawing, clear to the end of the screen, draw again.
    target.write(`${clear()}\x1b[0J${lines.map((l) => `${l}\n`).join('')}`);
    drawn = lines.length;
  };
  const timer = setInterval(draw, options.intervalMs ?? 500);
  timer.unref();
  return {
    observe: (batch) => {
      let stream: string | undefined;
      let records = 0;
      for (const m of batch) {
        if (m.type === 'RECORD') { records++; stream = m.record.stream; }
        else if (m.type === 'STATE') stream = m.state.stream.stream_descriptor.name;
        else if (m.type === 'TRACE') {
          const t = m.trace;
          if (t.type === 'STREAM_STATUS') row(t.stream_status.stream_descriptor.name).status = t.stream_status.status;
          else if (t.type === 'ESTIMATE' && t.estimate.row_estimate !== undefined) row(t.estimate.name).estimate = t.estimate.row_estimate;
        }
      }
      if (stream !== undefined) {
        const r = row(stream);
        r.records += records;
        if (records > 0 || batch.some((m) => m.type === 'STATE')) r.pages++;
      }
    },
    stop: () => {
      clearInterval(timer);
      if (rows.size > 0) draw();
    },
    predict: (predictions) => {
      for (const p of predictions) row(p.stream).tokens = p.tokens;
    },
    write: (text) => {
      // Log lines go above the display: erase it, print, draw it again below.
      const erase = clear();
      drawn = 0;
      target.write(erase + text);
      if (rows.size > 0) draw();
    },
  };
}
