/**
 * `read(options)` of the Node API: the `read` use case (src/read/run.ts) in the CLI's session, as an async iterator
 * of Airbyte messages that the consumer's pace drives (src/api/iterate.ts).
 *
 * Errors: invalid input (config, streams, catalog, state) throws a ConfigError from `read()` itself; credentials
 * that Pipedrive rejects, or an API it cannot reach, reject the first `next()` (one `GET /v1/users/me` is made before
 * the streams start: the CLI's `check`); a stream that fails mid-read is a TRACE ERROR and an INCOMPLETE status in the
 * iteration, and the other streams go on, exactly as in the CLI's output. The AbortSignal stops the read as SIGTERM
 * stops the CLI: every stream ends after its last safe STATE, then the iteration ends.
 */
import { catchError, concat, ignoreElements, takeUntil, tap, throwError } from 'rxjs';
import { parseCatalog } from '../catalog.js';
import { whoAmI } from '../check.js';
import { ConfigError, InterruptedError } from '../errors.js';
import { read as readUseCase, type ReadOutcome } from '../read/run.js';
import { configuredCatalog, cursorFields, knownStreams, plansOf } from '../selection.js';
import { parseState } from '../state.js';
import type { StreamPlan } from '../read/readStream.js';
import type { AirbyteMessage } from '../protocol.js';
import { toAsyncIterator } from './iterate.js';
import type { StreamName } from '../../streams/records.js';
import { aborted$, apiSession, configChanges, configOf, publicError } from './session.js';
import type { ReadIterator, ReadMessage, ReadOptions, ReadSummary } from './types.js';

/** Messages buffered before the requests pause for the consumer (about two pages). */
const HIGH_WATER = 1000;

/** The read plans of `options`; a ConfigError naming the option when something is wrong. */
function plansOfOptions(options: ReadOptions<StreamName>): StreamPlan[] {
  const { streams, catalog } = options;
  if (streams !== undefined && catalog !== undefined) throw new ConfigError("read: give 'streams' or 'catalog', not both");
  if (streams === undefined && catalog === undefined) throw new ConfigError("read: give 'streams' (stream names or 'all') or 'catalog'");
  if (streams !== undefined && streams !== 'all' && !Array.isArray(streams)) throw new ConfigError("streams: expected an array of stream names or 'all'");
  const configured = catalog !== undefined
    ? parseCatalog(catalog, knownStreams(), 'catalog')
    : configuredCatalog(streams as readonly string[] | 'all', { fullRefresh: options.fullRefresh ?? false, option: 'streams' }).streams;
  return plansOf(configured, parseState(options.state ?? null, cursorFields(), 'state'));
}

const summaryOf = (o: ReadOutcome): ReadSummary => ({ failed: o.failed, stopped: o.stoppedBy !== undefined, requests: o.requests, tokens: Object.fromEntries(o.tokens) });

/**
 * Reads `streams` (or `catalog`) from the state `state`: `for await (const msg of read({ config, streams: ['deals'] }))`.
 * Throws a ConfigError at once for invalid input; see the module comment for the other errors.
 */
export function read<const S extends StreamName = StreamName>(options: ReadOptions<S>): ReadIterator<S> {
  const loaded = configOf(options);
  const plans = plansOfOptions(options);
  const onConfig = configChanges(options);
  let outcome: (() => ReadOutcome) | undefined;
  let ended = false;
  let threw = false;
  const iterator = toAsyncIterator<AirbyteMessage>((ready) => {
    const session = apiSession(loaded, options, { ready });
    const stop$ = aborted$(options.signal, () => new InterruptedError('The read was stopped by its AbortSignal; read again from the last STATE of each stream'));
    const run = readUseCase(session, plans, { stop$ });
    outcome = run.outcome;
    // Credentials first: a read that cannot start throws instead of failing every stream.
    const start$ = whoAmI(session).pipe(
      ignoreElements(),
      catchError((err: unknown) => throwError(() => publicError(session, err))),
      // Aborted meanwhile: the read starts stopped (each stream ends at once with its STATE).
      takeUntil(stop$),
    );
    return session.output(concat(start$, run.messages$)).pipe(
      tap({ next: onConfig, finalize: () => { ended = true; } }),
      catchError((err: unknown) => {
        threw = true;
        return throwError(() => publicError(session, err));
      }),
    );
  }, HIGH_WATER);
  return Object.assign(iterator as AsyncIterableIterator<ReadMessage<S>>, {
    summary: () => {
      if (!ended || !outcome) return undefined;
      const summary = summaryOf(outcome());
      return threw ? { ...summary, failed: true } : summary;
    },
  });
}
