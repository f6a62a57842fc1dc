/** `spec`: one SPEC message. Loads nothing but the spec JSON, so it starts fast. */
import type { CommandModule } from 'yargs';
import { readFileSync } from 'node:fs';
import { packageRoot } from './paths.js';
import { specMessage } from '../protocol.js';
import { openOutput } from './output.js';

export const specCommand: CommandModule = {
  command: 'spec',
  describe: 'Print the connector specification (one SPEC message)',
  handler: async () => {
    const out = openOutput();
    const spec = JSON.parse(readFileSync(`${packageRoot()}/src/config/spec.json`, 'utf8')) as Record<string, unknown>;
    await out.emit(specMessage(spec));
  },
};
