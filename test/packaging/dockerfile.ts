/**
 * Just enough of a Dockerfile and .dockerignore reader for the packaging tests (no Docker engine needed):
 * instructions with line continuations, stages, COPY/LABEL/ENV arguments, and .dockerignore matching.
 */
import { posix } from 'node:path';

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  /** 1-based line of the instruction's first line. */
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** Instructions in order; comments (and parser directives) and blank lines dropped, continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = '';
  let start = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (/^\s*#/.test(line)) return;
    if (buf === '' && line.trim() === '') return;
    if (buf === '') start = i + 1;
    if (/\\\s*$/.test(line)) {
      buf += line.replace(/\\\s*$/, '') + ' ';
      return;
    }
    buf += line;
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(buf);
    if (!m?.[1] || m[2] === undefined) throw new Error(`Dockerfile line ${start}: cannot parse ${JSON.stringify(buf)}`);
    out.push({ keyword: m[1].toUpperCase(), args: m[2].trim().replace(/\s+/g, ' '), line: start });
    buf = '';
  });
  if (buf !== '') throw new Error('Dockerfile ends inside a line continuation');
  return out;
}

/** Splits instructions at each FROM. */
export function stages(instructions: readonly Instruction[]): Stage[] {
  const out: Array<{ image: string; name: string | undefined; instructions: Instruction[] }> = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(' ').filter((w) => !w.startsWith('--'));
      const image = words[0] ?? '';
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      out.push({ image, name, instructions: [] });
    } else if (ins.keyword !== 'ARG' || out.length > 0) {
      const current = out[out.length - 1];
      if (!current) throw new Error(`Dockerfile line ${ins.line}: ${ins.keyword} before the first FROM`);
      current.instructions.push(ins);
    }
  }
  return out;
}

export interface Copy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

/** The arguments of a COPY (shell or JSON form), with its `--from`. */
export function parseCopy(args: string): Copy {
  let rest = args;
  let from: string | undefined;
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
    if (!m) break;
    if (m[1] === 'from') from = m[2];
    rest = rest.slice(m[0].length);
  }
  const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(' ');
  const dest = parts.pop();
  if (dest === undefined || parts.length === 0) throw new Error(`COPY needs sources and a destination: ${args}`);
  return { from, sources: parts, dest };
}

/** `key=value` pairs of LABEL and ENV (values may be double-quoted); ENV's legacy `KEY value` form too. */
export function parsePairs(args: string, keyword: 'LABEL' | 'ENV'): Map<string, string> {
  const out = new Map<string, string>();
  if (keyword === 'ENV' && !/^[\w.-]+=/.test(args)) {
    const i = args.indexOf(' ');
    out.set(args.slice(0, i), args.slice(i + 1));
    return out;
  }
  const re = /([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g;
  for (const m of args.matchAll(re)) {
    const raw = m[2] ?? '';
    out.set(m[1] ?? '', raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}

/** All LABEL or ENV pairs of a stage (later ones win). */
export function pairsOf(stage: Stage, keyword: 'LABEL' | 'ENV'): Map<string, string> {
  const out = new Map<string, string>();
  for (const ins of stage.instructions) if (ins.keyword === keyword) for (const [k, v] of parsePairs(ins.args, keyword)) out.set(k, v);
  return out;
}

const GLOB = new Map([['**/', '(?:.*/)?'], ['**', '.*'], ['*', '[^/]*'], ['?', '[^/]']]);

/** A .dockerignore: `ignored(path)` tells whether a context path (or a directory above it) is excluded. */
export function dockerignore(text: string): { ignored: (path: string) => boolean } {
  const rules = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!');
    const pattern = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, '')).replace(/\/+$/, '');
    const source = pattern
      .split(/(\*\*\/?|\*|\?)/)
      .map((part) => GLOB.get(part) ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
      .join('');
    return { negate, re: new RegExp(`^${source}$`) };
  });
  return {
    ignored(path: string): boolean {
      const p = posix.normalize(path).replace(/^\.\//, '').replace(/\/+$/, '');
      // A path is excluded when it or one of its parent directories matches; the last matching rule wins.
      const prefixes = p.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
      let result = false;
      for (const rule of rules) if (prefixes.some((q) => rule.re.test(q))) result = !rule.negate;
      return result;
    },
  };
}
