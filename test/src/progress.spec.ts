import { describe, expect, it } from 'vitest';
import { createProgress, renderRows } from '../../src/progress.js';
import { estimateTrace, recordMessage, stateMessage, streamStatusTrace } from '../../src/protocol.js';

describe('progress display', () => {
  it('draws nothing when stderr is not a terminal', () => {
    let out = '';
    const p = createProgress({ isTTY: false, write: (t: string) => { out += t; } }, { enabled: true });
    p.observe([recordMessage('deals', { id: 1 }, 0), stateMessage('deals', {}, 1)]);
    p.stop();
    expect(out).toBe('');
  });

  it('draws nothing with --quiet even on a terminal', () => {
    let out = '';
    const p = createProgress({ isTTY: true, write: (t: string) => { out += t; } }, { enabled: false });
    p.observe([recordMessage('deals', { id: 1 }, 0)]);
    p.stop();
    expect(out).toBe('');
  });

  it('shows records, pages, rate, status and ETA per stream on a terminal', () => {
    let out = '';
    let t = 0;
    const p = createProgress({ isTTY: true, columns: 200, write: (s: string) => { out += s; } }, { enabled: true, now: () => t, intervalMs: 1_000_000 });
    p.observe([streamStatusTrace('deals', 'RUNNING', 0)]);
    p.observe([estimateTrace('deals', 1000, 0)]);
    p.observe([recordMessage('deals', { id: 1 }, 0), recordMessage('deals', { id: 2 }, 0), stateMessage('deals', {}, 2)]);
    p.observe([recordMessage('persons', { id: 1 }, 0)]);
    t = 2000;
    p.stop();
    expect(out).toContain('deals');
    expect(out).toMatch(/deals\s+RUNNING\s+2 of 1,000 records, 1 pages, 1\/s ETA 998 s/);
    expect(out).toMatch(/persons\s+STARTED\s+1 records, 1 pages/);
  });

  it('renders rows within the terminal width', () => {
    const rows = new Map([['a_very_long_stream_name_indeed', { records: 123456, pages: 3, status: 'COMPLETE', started: 0 }]]);
    for (const line of renderRows(rows, 1000, 40)) expect(line.length).toBeLessThan(40);
  });
});

describe('progress display and log lines', () => {
  it('prints a log line above the display and draws the display again', () => {
    let out = '';
    const p = createProgress({ isTTY: true, columns: 120, write: (s: string) => { out += s; } }, { enabled: true, now: () => 1000, intervalMs: 1_000_000 });
    p.observe([recordMessage('deals', { id: 1 }, 0), stateMessage('deals', {}, 1)]);
    p.stop();
    out = '';
    p.write('INFO hello\n');
    // Erase the one-line display, print the log line, draw the display below it.
    expect(out.startsWith('\x1b[1A\x1b[0JINFO hello\n')).toBe(true);
    expect(out).toMatch(/INFO hello\n\x1b\[0Jdeals/);
  });
  it('passes log lines straight through when off', () => {
    let out = '';
    const p = createProgress({ isTTY: false, write: (s: string) => { out += s; } }, { enabled: true });
    p.write('INFO x\n');
    expect(out).toBe('INFO x\n');
  });
});
