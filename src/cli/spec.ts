/** `spec`: one SPEC message (the config module loads ajv only when it validates, so this starts fast). */
import type { CommandModule } from 'yargs';
import { loadSpec } from '../config/index.js';
import { specMessage } from '../protocol.js';
import { openOutput } from './output.js';

export const specCommand: CommandModule = {
  command: 'spec',
  describe: 'Print the connector specification (one SPEC message)',
  handler: async () => {
    const out = openOutput();
    await out.emit(specMessage(loadSpec()));
  },
};
