/**
 * A throw-away PostgreSQL server for tests: `initdb` into a temporary folder, `postgres` on a free port of
 * 127.0.0.1 with its socket in that folder, trust authentication for the superuser `postgres`.
 *
 * The binaries are taken from PATH or, as Debian installs them, from `/usr/lib/postgresql/<version>/bin` (the
 * newest). initdb and postgres refuse to run as root: under root they run as `nobody` (through `runuser`), and the
 * folder belongs to that user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const SERVER_BINARIES = ['initdb', 'pg_ctl', 'postgres'];
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The folder holding initdb, pg_ctl and postgres (PATH first, then Debian's newest version), if any. */
export function findPostgresBin(path: string = process.env['PATH'] ?? ''): string | undefined {
  const hasAll = (dir: string) => SERVER_BINARIES.every((b) => existsSync(join(dir, b)));
  const onPath = path.split(delimiter).filter((d) => d !== '').find(hasAll);
  if (onPath !== undefined) return onPath;
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const versions = readdirSync(DEBIAN_ROOT).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(DEBIAN_ROOT, v, 'bin')).find(hasAll);
}

export interface PostgresServer {
  readonly port: number;
  /** The folder with `data/`, `sock/` and `server.log`; removed by stop(). */
  readonly dir: string;
  /** PATH with the server's bin folder first (so `psql` matches the server), and PGHOST/PGPORT/PGUSER/PGDATABASE. */
  env(database?: string): NodeJS.ProcessEnv;
  /** Runs SQL with psql (-X -At, ON_ERROR_STOP) and returns its stdout. */
  psql(sql: string, database?: string): string;
  /** Stops the server at once (`pg_ctl stop -m immediate`, else SIGQUIT to the postmaster) and removes `dir`. */
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** How to run a server binary: directly, or as `nobody` when this process is root. */
function runner(): { wrap: (cmd: string, args: string[]) => [string, string[]]; owner?: { uid: number; gid: number } } {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args] };
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  if (spawnSync('runuser', ['--help'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('PostgreSQL refuses to run as root and runuser (util-linux) is missing to start it as nobody');
  }
  return { wrap: (cmd, args) => ['runuser', ['-u', 'nobody', '--', cmd, ...args]], owner: { uid: id('-u'), gid: id('-g') } };
}

function run(wrapped: [string, string[]], what: string): void {
  const [cmd, args] = wrapped;
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${what} failed (${String(r.status ?? r.signal)}): ${r.stderr || r.stdout}`);
}

/** Starts a fresh server; on any failure it cleans up after itself before throwing. */
export async function startPostgres(bin: string): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'spd-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const log = join(dir, 'server.log');
  const { wrap, owner } = (() => {
    try {
      return runner();
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  })();
  let started = false;
  const stop = () => {
    if (started) {
      const r = spawnSync(...wrap(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore', timeout: 30_000 });
      if (r.status !== 0 && existsSync(join(data, 'postmaster.pid'))) {
        const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (Number.isInteger(pid) && pid > 0) {
          try {
            process.kill(pid, 'SIGQUIT');
          } catch {
            // already gone
          }
        }
      }
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync(sock);
    if (owner) for (const d of [dir, sock]) chownSync(d, owner.uid, owner.gid);
    run(wrap(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']), 'initdb');
    appendFileSync(join(data, 'postgresql.conf'), [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${sock}'`,
      'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'shared_buffers = 32MB', 'max_connections = 20',
      '',
    ].join('\n'));
    let port = 0;
    for (let attempt = 1; !started; attempt++) {
      port = await freePort();
      const r = spawnSync(...wrap(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', `-p ${port}`, '-w', '-t', '30', 'start']), { encoding: 'utf8', timeout: 40_000 });
      started = r.status === 0;
      // pg_ctl may fail on a port taken in between; anything else (or a third failure) is an error.
      if (!started && (attempt >= 3 || !readLog(log).includes('could not bind'))) {
        started = existsSync(join(data, 'postmaster.pid'));
        throw new Error(`postgres did not start: ${r.stderr}\n${readLog(log).slice(-2000)}`);
      }
    }
    const env = (database = 'postgres'): NodeJS.ProcessEnv => ({
      ...process.env,
      PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}`,
      PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'postgres', PGDATABASE: database,
    });
    const psqlBin = existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql';
    const psql = (sql: string, database = 'postgres'): string => {
      const r = spawnSync(psqlBin, ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { env: env(database), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`psql failed (${String(r.status)}): ${r.stderr}\n${sql}`);
      return r.stdout;
    };
    return { port, dir, env, psql, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
