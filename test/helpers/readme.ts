/** The code blocks of README.md that tests run exactly as printed (marked `<!-- readme: NAME -->`). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './protocol.js';

export function readmeBlock(name: string, lang = 'sh'): string {
  const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- readme: ${name} -->\\n\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!m?.[1]) throw new Error(`README.md has no ${lang} block marked readme: ${name}`);
  return m[1];
}
