import { describe, expect, it } from 'vitest';
import { configErrorOf } from '../helpers/errors.js';
import { configuredCatalog, cursorFields, knownStreams, plansOf, selectedNames } from '../../src/selection.js';
import { parseCatalog } from '../../src/catalog.js';
import { airbyteStream } from '../../src/discover.js';
import { ConfigError } from '../../src/errors.js';
import { allStreams, loadSchema, supportsIncremental } from '../../streams/index.js';

const errorOf = configErrorOf;

describe('selectedNames', () => {
  it('keeps catalog order, each name once, and splits comma-separated entries', () => {
    expect(selectedNames(['persons,deals', ' notes ', 'deals'])).toEqual(['deals', 'notes', 'persons']);
  });

  it("'all' is every stream", () => {
    expect(selectedNames('all')).toEqual(allStreams.map((d) => d.name));
    expect(selectedNames(['all'])).toEqual(allStreams.map((d) => d.name));
  });

  it('an unknown name is a ConfigError naming the option, suggesting the close one and listing every valid name', () => {
    const err = errorOf(() => selectedNames(['deals', 'persns']));
    expect(err.failureType).toBe('config_error');
    expect(err.message).toMatch(/^--streams: unknown stream 'persns'\. Did you mean 'persons'\? Known streams: /);
    for (const d of allStreams) expect(err.message).toContain(d.name);
    expect(err.message).not.toContain('in all');
    expect(errorOf(() => selectedNames(['nope'], 'streams')).message).toMatch(/^streams: unknown stream 'nope'/);
  });

  it("'all' beside names, and no name at all, are ConfigErrors", () => {
    expect(errorOf(() => selectedNames(['all,deals'])).message).toContain("'all' cannot be combined");
    expect(errorOf(() => selectedNames([''])).message).toMatch(/^--streams: name at least one stream/);
    expect(errorOf(() => selectedNames([])).message).toMatch(/^--streams: name at least one stream/);
  });
});

describe('configuredCatalog', () => {
  it('is what discover + the configured-catalog recipe make, with the static schemas', () => {
    const catalog = configuredCatalog('all');
    expect(catalog.streams.map((s) => s.stream.name)).toEqual(allStreams.map((d) => d.name));
    for (const def of allStreams) {
      const entry = catalog.streams.find((s) => s.stream.name === def.name);
      expect(entry, def.name).toEqual({
        stream: airbyteStream(def, loadSchema(def)),
        sync_mode: supportsIncremental(def) ? 'incremental' : 'full_refresh',
        destination_sync_mode: 'append',
      });
    }
    // The catalog check of --catalog accepts it as it is.
    expect(parseCatalog(catalog, knownStreams())).toHaveLength(allStreams.length);
  });

  it('fullRefresh: every stream full refresh', () => {
    const catalog = configuredCatalog(['deals', 'currencies'], { fullRefresh: true });
    expect(catalog.streams.map((s) => [s.stream.name, s.sync_mode])).toEqual([['currencies', 'full_refresh'], ['deals', 'full_refresh']]);
  });
});

describe('plansOf', () => {
  it('joins each configured stream with its definition and input state', () => {
    const states = new Map([['deals', { update_time: '2024-01-01T00:00:00Z' }], ['notes', { update_time: '2023-01-01T00:00:00Z' }]]);
    const plans = plansOf(configuredCatalog(['deals', 'currencies']).streams, states);
    expect(plans.map((p) => [p.def.name, p.syncMode, p.state])).toEqual([
      ['currencies', 'full_refresh', undefined],
      ['deals', 'incremental', { update_time: '2024-01-01T00:00:00Z' }],
    ]);
  });

  it('cursorFields lists every stream', () => {
    expect(cursorFields().get('deals')).toBe('update_time');
    expect(cursorFields().get('users')).toBe('modified');
    expect(cursorFields().size).toBe(allStreams.length);
  });
});
