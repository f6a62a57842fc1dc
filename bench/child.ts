/**
 * What every bench scenario shares: running a Node child (wall time, peak RSS, stderr, optionally stdout to a
 * file and a time cap), configured catalogs, the machine's description and number formatting.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../emulator/server.js';

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const bin = join(root, 'bin/source-pipedrive.js');
const TIME = '/usr/bin/time';
export const useTime = existsSync(TIME);

export interface ChildRun {
  /** Wall time in ms, spawn to exit. */
  ms: number;
  /** `Date.now()` at the spawn (to compare with the emulator's request log). */
  spawnedAt: number;
  /** Peak resident set size (VmHWM) in KiB. */
  peakKb: number;
  code: number | null;
  stderr: string;
  /** The run was stopped (SIGTERM) when it reached its time cap. */
  capped: boolean;
}

export interface RunOptions {
  /** Where stdout goes (default /dev/null, as `> /dev/null` does: a file, written synchronously by Node). */
  stdoutFile?: string;
  /** SIGTERM the child after this many ms (it flushes complete pages and exits 143). */
  capMs?: number;
}

/** Peak RSS of a running process, from /proc (VmHWM is a high-water mark, so polling is enough). */
function vmHwmKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `node <args>`, measuring wall time and peak RSS: `/usr/bin/time -f %M` (the kernel's maxrss of the
 * child) where available, else VmHWM polled from /proc every 50 ms.
 */
export function runNode(args: readonly string[], scratch: string, opts: RunOptions = {}): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const out = openSync(opts.stdoutFile ?? '/dev/null', 'w');
    const timeFile = join(scratch, `time-${process.hrtime.bigint()}.txt`);
    // A capped run is not wrapped in /usr/bin/time: the SIGTERM at the cap must reach node itself (time would die
    // of it and leave node running); its peak RSS comes from /proc.
    const timed = useTime && opts.capMs === undefined;
    const [cmd, argv] = timed
      ? [TIME, ['-f', '%M', '-o', timeFile, process.execPath, ...args]]
      : [process.execPath, [...args]];
    const started = performance.now();
    const spawnedAt = Date.now();
    const child = spawn(cmd, argv, { stdio: ['ignore', out, 'pipe'] });
    closeSync(out);
    let stderr = '';
    let peak = 0;
    let capped = false;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => { stderr += chunk; });
    const poll = timed ? undefined : setInterval(() => {
      const kb = child.pid !== undefined ? vmHwmKb(child.pid) : undefined;
      if (kb !== undefined && kb > peak) peak = kb;
    }, 50);
    const cap = opts.capMs === undefined ? undefined : setTimeout(() => { capped = true; child.kill('SIGTERM'); }, opts.capMs);
    child.on('error', fail);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (poll) clearInterval(poll);
      if (cap) clearTimeout(cap);
      if (timed) {
        const text = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
        // /usr/bin/time writes "Command exited with non-zero status N" before the figure when the child fails.
        const figures = text.trim().split('\n').filter((l) => /^\d+$/.test(l.trim()));
        peak = Number(figures.at(-1) ?? 0);
        rmSync(timeFile, { force: true });
      }
      done({ ms, spawnedAt, peakKb: peak, code, stderr, capped });
    });
  });
}

export function check(run: ChildRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited with ${run.code}: ${run.stderr.slice(-2000)}`);
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/** GET a JSON path of the emulator (e.g. to warm its lazily built indexes). */
export function getJson(emu: Pick<Emulator, 'url'>, path: string, agent?: http.Agent): Promise<unknown> {
  return new Promise((done, fail) => {
    http.get(`${emu.url}${path}`, { headers: { 'x-api-token': 'emulator-token' }, ...(agent ? { agent } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => {
        if (res.statusCode !== 200) fail(new Error(`HTTP ${res.statusCode} for ${path}: ${body.slice(0, 200)}`));
        else done(JSON.parse(body));
      });
      res.on('error', fail);
    }).on('error', fail);
  });
}

export interface CatalogEntry { name: string; incremental?: readonly string[] | undefined }

/** A configured catalog: full refresh (overwrite), or incremental (append_dedup) on the cursor given. */
export function configuredCatalog(streams: readonly (string | CatalogEntry)[]): object {
  return {
    streams: streams.map((s) => {
      const { name, incremental } = typeof s === 'string' ? { name: s, incremental: undefined } : s;
      return {
        stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
        sync_mode: incremental ? 'incremental' : 'full_refresh',
        destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
        ...(incremental ? { cursor_field: [...incremental] } : {}),
      };
    }),
  };
}

export function machine(): string {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown CPU';
  return `${model}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform} ${process.arch}`;
}

/** What a scenario hands back: its printed lines go through `say`, its Markdown and targets are collected. */
export interface Report {
  say(line: string): void;
  note(line: string): void;
  target(what: string, ok: boolean): void;
  md(...lines: string[]): void;
}

/** Bench-wide settings every scenario may use. */
export interface BenchContext {
  small: boolean;
  scratch: string;
  /** Extra connector config merged into every config the bench writes (e.g. `{"fanout_concurrency": 8}`). */
  connectorConfig: Record<string, unknown>;
  report: Report;
}
