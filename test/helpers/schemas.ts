/** Record validation against the generated stream schemas (ajv with formats; v1 naive timestamps accepted as date-time). */
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { allStreams, loadSchema } from '../../streams/index.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i;
let ajv: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

/** The validator of a stream's records (the schema `discover` reports, before custom field typing). */
export function recordValidator(stream: string, schema?: Record<string, unknown>): ValidateFunction {
  const key = schema ? `${stream}:custom` : stream;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true });
    ajvFormats.default(ajv);
    // Airbyte's timestamp_without_timezone values (v1 `YYYY-MM-DD HH:MM:SS`) carry format date-time too.
    ajv.addFormat('date-time', RFC3339);
  }
  const def = allStreams.find((d) => d.name === stream);
  if (!def) throw new Error(`no stream ${stream}`);
  const v = ajv.compile(schema ?? loadSchema(def));
  cache.set(key, v);
  return v;
}

export function assertValidRecord(stream: string, data: unknown): void {
  const v = recordValidator(stream);
  if (!v(data)) throw new Error(`${stream} record does not match its schema: ${JSON.stringify(v.errors?.slice(0, 3))} in ${JSON.stringify(data).slice(0, 400)}`);
}
