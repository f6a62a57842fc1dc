/**
 * The inputs of `read`: the config, the streams (`--catalog FILE`, or `--streams NAMES` building the configured
 * catalog, src/selection.ts) and the input state (`--state FILE`, or `--state-file FILE` with its lock,
 * src/stateFile.ts). Every problem is a ConfigError naming the option.
 */
import { readConfigFile, type LoadedConfig } from '../config/index.js';
import { readCatalogFile } from '../catalog.js';
import { readStateFile } from '../state.js';
import type { ConfiguredStream, JsonObject } from '../protocol.js';
import type { StreamPlan } from '../read/readStream.js';
import { configuredCatalog, cursorFields, knownStreams, plansOf } from '../selection.js';
import { openStateFile, type StateFile } from '../stateFile.js';
import type { ConfigFileArgs } from './options.js';

export interface ReadArgs extends ConfigFileArgs {
  catalog?: string;
  /** One or more (repeated option) comma-separated lists of stream names, or `all`. */
  streams?: string | string[];
  fullRefresh?: boolean;
  state?: string;
  stateFile?: string;
}

export interface ReadInputs {
  readonly loaded: LoadedConfig;
  readonly plans: StreamPlan[];
  /** `--state-file`: locked and read; the handler saves and closes it after the read. */
  readonly stateFile?: StateFile;
  /** WARN lines for the read's output (options that were given but do not apply). */
  readonly warnings: string[];
}

export function readInputs(argv: ReadArgs): ReadInputs {
  const loaded = readConfigFile(argv.config);
  const warnings: string[] = [];
  let configured: ConfiguredStream[];
  if (argv.catalog !== undefined) {
    if (argv.streams !== undefined) {
      warnings.push(`Both --catalog and --streams are given: the streams of --catalog are read; --streams${argv.fullRefresh ? ' and --full-refresh are' : ' is'} ignored`);
    }
    configured = readCatalogFile(argv.catalog, knownStreams());
  } else {
    configured = configuredCatalog([argv.streams ?? []].flat(), { fullRefresh: argv.fullRefresh ?? false }).streams;
  }
  let states: ReadonlyMap<string, JsonObject> = new Map();
  let stateFile: StateFile | undefined;
  if (argv.state !== undefined) states = readStateFile(argv.state, cursorFields());
  // Last: nothing after it can fail, so the lock is only taken for a read that starts.
  if (argv.stateFile !== undefined) {
    stateFile = openStateFile(argv.stateFile, cursorFields());
    states = stateFile.states;
    warnings.push(...stateFile.notes);
  }
  return { loaded, plans: plansOf(configured, states), warnings, ...(stateFile ? { stateFile } : {}) };
}
