/**
 * `read --config C --catalog K [--state S]`: the sync. Exit 0 on success, 1 when a stream failed
 * (with TRACE ERRORs), 143/130 after SIGTERM/SIGINT (complete pages and their STATE flushed first).
 */
import type { CommandModule } from 'yargs';
import { openOutput } from './output.js';
import { controlConfigMessage } from '../protocol.js';

interface ReadArgs { config: string; catalog: string; state?: string; quiet?: boolean; debug?: boolean }

const SIGNAL_EXIT: Record<string, number> = { SIGTERM: 143, SIGINT: 130 };

export const readCommand: CommandModule<object, ReadArgs> = {
  command: 'read',
  describe: 'Read the configured streams (RECORD, STATE, TRACE, LOG messages)',
  builder: (y) => y
    .option('config', { type: 'string', demandOption: true, describe: 'Path to the config JSON' })
    .option('catalog', { type: 'string', demandOption: true, describe: 'Path to the configured catalog JSON' })
    .option('state', { type: 'string', describe: 'Path to the state JSON' }) as never,
  handler: async (argv) => {
    const { createProgress } = await import('../progress.js');
    const progress = createProgress(process.stderr, { enabled: !(argv.quiet ?? false) });
    const out = openOutput({ quiet: argv.quiet ?? false, debug: argv.debug ?? false, stderr: progress });
    const [{ readConfigFile }, { readCatalogFile }, { readStateFile }, { allStreams, streamByName }, { createAxiosPort }, { runRead }, { InterruptedError }, { Subject }] =
      await Promise.all([
        import('../config/index.js'), import('../catalog.js'), import('../state.js'), import('../../streams/index.js'),
        import('../http/axios.js'), import('../read/run.js'), import('../errors.js'), import('rxjs'),
      ]);
    let setup;
    try {
      const loaded = readConfigFile(argv.config);
      if (loaded.migrated) await out.emit(controlConfigMessage(loaded.migrated));
      const known = new Map(allStreams.map((d) => [d.name, { supportsIncremental: d.incremental !== 'none' && d.cursorField !== undefined }]));
      const configured = readCatalogFile(argv.catalog, known);
      const cursors = new Map(allStreams.map((d) => [d.name, d.cursorField]));
      const states = argv.state !== undefined ? readStateFile(argv.state, cursors) : new Map();
      const plans = configured.map((c) => {
        const def = streamByName(c.stream.name);
        if (!def) throw new Error(`unknown stream ${c.stream.name}`);
        return { def, syncMode: c.sync_mode, state: states.get(def.name) };
      });
      setup = { loaded, plans };
    } catch (err) {
      await out.fail(err);
      return;
    }
    const stop$ = new Subject<Error>();
    let signalled: string | undefined;
    const onSignal = (signal: string) => () => {
      if (signalled) return;
      signalled = signal;
      out.log.warn(`Received ${signal}: stopping after the pages already complete`);
      stop$.next(new InterruptedError(`The read was interrupted by ${signal}; run it again from the last state`));
    };
    const onTerm = onSignal('SIGTERM');
    const onInt = onSignal('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    try {
      const outcome = await runRead({
        config: setup.loaded.config,
        rawConfig: setup.loaded.migrated ?? setup.loaded.raw,
        plans: setup.plans,
        port: createAxiosPort(),
        sink: out.sink,
        log: out.log,
        stop$,
        progress,
      });
      if (out.closed()) process.exitCode = 0;
      else if (signalled) process.exitCode = SIGNAL_EXIT[signalled] ?? 1;
      else if (outcome.failed) process.exitCode = 1;
    } catch (err) {
      if (out.closed()) process.exitCode = 0;
      else await out.fail(err);
    } finally {
      process.removeListener('SIGTERM', onTerm);
      process.removeListener('SIGINT', onInt);
    }
  },
};
