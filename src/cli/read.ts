/**
 * `read --config C --catalog K [--state S]`: the sync (src/read/run.ts). Exit 0 on success, 1 when a stream failed
 * (with TRACE ERRORs), 143/130 after SIGTERM/SIGINT (complete pages and their STATE flushed first).
 */
import type { CommandModule } from 'yargs';
import type { Options } from 'yargs';
import { openOutput } from './output.js';
import { configOption, type ConfigArgs } from './options.js';

interface ReadArgs extends ConfigArgs { catalog: string; state?: string }

const readOptions = {
  ...configOption,
  catalog: { type: 'string', demandOption: true, describe: 'Path to the configured catalog JSON' },
  state: { type: 'string', describe: 'Path to the state JSON' },
} as const satisfies Record<string, Options>;

const SIGNAL_EXIT: Record<string, number> = { SIGTERM: 143, SIGINT: 130 };

export const readCommand: CommandModule<object, ReadArgs> = {
  command: 'read',
  describe: 'Read the configured streams (RECORD, STATE, TRACE, LOG messages)',
  builder: (y) => y.options(readOptions) as never,
  handler: async (argv) => {
    const { createProgress } = await import('../progress.js');
    const progress = createProgress(process.stderr, { enabled: !(argv.quiet ?? false) });
    const out = openOutput({ quiet: argv.quiet ?? false, debug: argv.debug ?? false, stderr: progress });
    const [{ execute }, { readConfigFile }, { readCatalogFile }, { readStateFile }, { allStreams, streamByName, supportsIncremental }, { read }, { InterruptedError }, { Subject }] =
      await Promise.all([
        import('./execute.js'), import('../config/index.js'), import('../catalog.js'), import('../state.js'), import('../../streams/index.js'),
        import('../read/run.js'), import('../errors.js'), import('rxjs'),
      ]);
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
    let run: ReturnType<typeof read> | undefined;
    try {
      await execute({
        out,
        inputs: () => {
          const loaded = readConfigFile(argv.config);
          const known = new Map(allStreams.map((d) => [d.name, { supportsIncremental: supportsIncremental(d) }]));
          const configured = readCatalogFile(argv.catalog, known);
          const cursors = new Map(allStreams.map((d) => [d.name, d.cursorField]));
          const states = argv.state !== undefined ? readStateFile(argv.state, cursors) : new Map();
          const plans = configured.map((c) => {
            const def = streamByName(c.stream.name);
            if (!def) throw new Error(`unknown stream ${c.stream.name}`);
            return { def, syncMode: c.sync_mode, state: states.get(def.name) };
          });
          return { loaded, plans };
        },
        observe: (batch) => progress.observe(batch),
        run: (session, { plans }) => {
          run = read(session, plans, { stop$ });
          return run.messages$;
        },
      });
      if (out.closed()) process.exitCode = 0;
      else if (signalled) process.exitCode = SIGNAL_EXIT[signalled] ?? 1;
      else if (run?.outcome().failed) process.exitCode = 1;
    } finally {
      progress.stop();
      process.removeListener('SIGTERM', onTerm);
      process.removeListener('SIGINT', onInt);
    }
  },
};
