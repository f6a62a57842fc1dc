/**
 * `read --config C (--catalog K | --streams NAMES) [--state S | --state-file F] [--update-config]`: the sync
 * (src/read/run.ts). Exit 0 on success, 1 when a stream failed (with TRACE ERRORs), 143/130 after SIGTERM/SIGINT
 * (complete pages and their STATE flushed first; a `--state-file` is written after them).
 */
import type { CommandModule, Options } from 'yargs';
import { openOutput } from './output.js';
import { configOption, updateConfigOption } from './options.js';
import type { ReadArgs, ReadInputs } from './readInputs.js';

const readOptions = {
  ...configOption,
  catalog: { type: 'string', describe: 'Path to the configured catalog JSON (wins over --streams when both are given)' },
  streams: {
    type: 'string',
    describe: "Stream names, comma-separated (deals,persons), or 'all': read them without a catalog file. The configured "
      + 'catalog is built as discover + the configured-catalog recipe of docs/recipes.md would: incremental where the '
      + 'stream supports it, unless --full-refresh. The records are the same: read never uses the catalog\'s json_schema, '
      + 'and custom_field_names / resolve_option_labels apply from the config either way (the field definitions are '
      + 'read at the start of the read). What only discover gives is the custom fields typed in a catalog, for a '
      + 'destination that creates typed columns',
  },
  'full-refresh': { type: 'boolean', implies: 'streams', describe: 'With --streams: read every stream in full refresh' },
  state: { type: 'string', conflicts: 'state-file', describe: 'Path to the state JSON (read only)' },
  'state-file': {
    type: 'string',
    describe: 'Path to a state file of a chain of runs: read at the start if it exists (missing = first run), and '
      + 'after the read (also a failed or interrupted one) replaced atomically by the last STATE of every stream of the '
      + 'run, merged with the streams of the file that were not in it. FILE.lock keeps a second run off it meanwhile. '
      + 'Not written when stdout was closed before the end (what the reader got is unknown)',
  },
  ...updateConfigOption,
} as const satisfies Record<string, Options>;

const SIGNAL_EXIT: Record<string, number> = { SIGTERM: 143, SIGINT: 130 };

export const readCommand: CommandModule<object, ReadArgs> = {
  command: 'read',
  describe: 'Read the configured streams (RECORD, STATE, TRACE, LOG messages)',
  builder: (y) => y.options(readOptions)
    .example('$0 read --config config.json --catalog catalog.json --state state.json', 'as the Airbyte platform runs it')
    .example('$0 read --config config.json --streams deals,persons --state-file state.json --update-config', 'an incremental sync from cron')
    .check((argv) => {
      if (argv.catalog === undefined && argv.streams === undefined) {
        throw new Error('Give the streams to read: --catalog FILE, or --streams NAMES (e.g. --streams deals,persons or --streams all)');
      }
      return true;
    }) as never,
  handler: async (argv) => {
    const { createProgress } = await import('../progress.js');
    const progress = createProgress(process.stderr, { enabled: !(argv.quiet ?? false) });
    const out = openOutput({ quiet: argv.quiet ?? false, debug: argv.debug ?? false, stderr: progress });
    const [{ execute }, { readInputs }, { read }, { InterruptedError }, { Subject, defer }] = await Promise.all([
      import('./execute.js'), import('./readInputs.js'), import('../read/run.js'), import('../errors.js'), import('rxjs'),
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
    let inputs: ReadInputs | undefined;
    try {
      await execute({
        out,
        inputs: () => (inputs = readInputs(argv)),
        updateConfig: argv.updateConfig ? argv.config : undefined,
        observe: (batch) => {
          progress.observe(batch);
          inputs?.stateFile?.observe(batch);
        },
        run: (session, { plans, warnings }) => {
          const current = read(session, plans, { stop$, onPreview: (p) => progress.predict(p) });
          run = current;
          // Inside the output, so that the warnings are LOG messages too.
          return defer(() => {
            for (const w of warnings) session.log.warn(w);
            return current.messages$;
          });
        },
      });
      // Only a read that ran has states to save (not one refused before it started).
      const saved = inputs?.stateFile && run ? await saveStateFile(inputs.stateFile, out) : true;
      if (out.closed()) process.exitCode = 0;
      else if (signalled) process.exitCode = SIGNAL_EXIT[signalled] ?? 1;
      else if (run?.outcome().failed || !saved) process.exitCode = 1;
    } finally {
      inputs?.stateFile?.close();
      progress.stop();
      process.removeListener('SIGTERM', onTerm);
      process.removeListener('SIGINT', onInt);
    }
  },
};

/** Writes the state file after the read; false when that failed (reported as a TRACE ERROR). */
async function saveStateFile(file: NonNullable<ReadInputs['stateFile']>, out: ReturnType<typeof openOutput>): Promise<boolean> {
  if (out.closed()) {
    // The reader went away: what it processed is unknown, so the file keeps the state it had (at least once).
    out.log.warn(`stdout was closed before the read ended: --state-file '${file.path}' is left as it was`);
    return true;
  }
  const { ConfigError } = await import('../errors.js');
  try {
    const streams = file.save();
    out.log.info(streams > 0 ? `--state-file: wrote the state of ${streams} stream(s) to '${file.path}'` : `--state-file: no STATE in this run; '${file.path}' is unchanged`);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    await out.fail(new ConfigError(`--state-file: could not write '${file.path}' (${code}); the last STATE of each stream is on stdout`));
    return false;
  }
}
