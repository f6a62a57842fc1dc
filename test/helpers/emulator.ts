/** The emulator as tests start it: tracked (test/helpers/resources.ts), so it is closed after its file whatever happens. */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server.js';
import { trackServer } from './resources.js';

export type { Emulator, EmulatorOptions };

/** Starts an emulator whose `close` is idempotent and runs after the file at the latest. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator(options);
  emu.close = trackServer(emu.close);
  return emu;
}
