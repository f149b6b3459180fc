import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROVIDER_IDS } from '@/lib/providers';

// Issue 15, acceptance 5: what sets a provider apart lives in its descriptor (lib/providers/<id>.ts).
// Code elsewhere reads the descriptor; it never asks which provider a profile has by comparing its
// server type to a literal id, or a new provider would have to be added in every such place.
const root = fileURLToPath(new URL('../..', import.meta.url));
const SEARCHED = ['app', 'lib', 'db', 'scripts'];
const HOME = 'lib/providers/';
// Nothing else is left out. scripts/lab stands in for the providers, but it names its mail servers
// gmail, microsoft and generic, and tests those names (`server === 'gmail'`), never a server type:
// the rules below do not see them, so it is searched like the rest.

const id = `(['"\`])(?:${PROVIDER_IDS.join('|')})\\1`;
const RULES: { name: string; pattern: RegExp }[] = [
  { name: 'server type compared to an id', pattern: new RegExp(String.raw`\bserverType\b\)*\s*[!=]==?\s*${id}`, 'g') },
  { name: 'id compared to a server type', pattern: new RegExp(String.raw`${id}\s*[!=]==?\s*\(*[\w$.?!]*\bserverType\b`, 'g') },
  { name: 'SQL condition on a server type', pattern: new RegExp(String.raw`\b(?:eq|ne)\(\s*[\w$.?]*\bserverType\s*,\s*${id}`, 'g') },
  { name: 'SQL text on server_type', pattern: new RegExp(String.raw`\bserver_type\s*(?:=|<>|!=)\s*${id}`, 'g') },
  { name: 'list of ids searched for a server type', pattern: new RegExp(String.raw`\[[^\]]*${id}[^\]]*\](?:\s*as\s+const)?\s*\.includes\(\s*[\w$.?]*\bserverType\b`, 'g') },
  { name: 'server type typed as a list of ids', pattern: new RegExp(String.raw`\bserverType\??\s*:\s*${id}\s*\|`, 'g') },
];

/** The body of each `switch` whose subject names serverType, from its opening brace to the matching one. */
function switchesOnServerType(source: string): { start: number; body: string }[] {
  const found: { start: number; body: string }[] = [];
  for (const match of source.matchAll(/\bswitch\s*\(([^)]*\bserverType\b[^)]*)\)\s*\{/g)) {
    const open = match.index + match[0].length - 1;
    let depth = 0;
    let end = open;
    for (; end < source.length; end += 1) {
      if (source[end] === '{') depth += 1;
      if (source[end] === '}' && --depth === 0) break;
    }
    found.push({ start: open, body: source.slice(open, end + 1) });
  }
  return found;
}

/** Each place in `source` that tests a server type against a literal provider id, as "line: text". */
function literalProviderTests(source: string): string[] {
  const at = (index: number) => {
    const line = source.slice(0, index).split('\n').length;
    return `${line}: ${source.split('\n')[line - 1]!.trim()}`;
  };
  const hits = RULES.flatMap(({ pattern }) => [...source.matchAll(pattern)].map((match) => match.index));
  for (const { start, body } of switchesOnServerType(source)) {
    for (const match of body.matchAll(new RegExp(String.raw`\bcase\s+${id}\s*:`, 'g'))) hits.push(start + match.index);
  }
  return [...new Set(hits.sort((a, b) => a - b).map(at))];
}

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

describe('the detector of literal provider tests', () => {
  it.each([
    ["if (serverType === 'gmail') return 1;", 'serverType === '],
    ["const m = 'microsoft365' === profile.serverType;", "'microsoft365' === profile.serverType"],
    ['if (app.serverType !== "custom") refuse();', 'serverType !== "custom"'],
    ['const gmail = evidence.serverType == `gmail`;', 'evidence.serverType'],
    ["switch (profile.serverType) {\n  case 'microsoft365':\n    return 2;\n  default:\n    return 0;\n}", "case 'microsoft365':"],
    ["and(eq(serverProfiles.serverType, 'gmail'), eq(serverProfiles.publishingStatus, 'testing'))", 'eq(serverProfiles.serverType'],
    ["sql`update server_profiles set x = 1 where server_type = 'custom'`", "server_type = 'custom'"],
    ["if (['gmail', 'microsoft365'].includes(profile.serverType)) go();", '.includes(profile.serverType)'],
    ["type Evidence = { serverType: 'gmail' | 'microsoft365' | 'custom' };", "serverType: 'gmail' |"],
  ])('finds %j', (source, shown) => {
    const found = literalProviderTests(source);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(shown);
  });

  it('names the line of each test it finds', () => {
    const source = "const a = 1;\nif (serverType === 'gmail') a();\nconst b = 2;\nswitch (serverType) {\n  case 'custom':\n    break;\n}\n";
    expect(literalProviderTests(source)).toEqual(["2: if (serverType === 'gmail') a();", "5: case 'custom':"]);
  });

  it.each([
    'if (PROVIDERS[profile.serverType].sharedMailboxes) allow();',
    "if (server === 'gmail') return reply(challenge);",
    "switch (step.kind) {\n  case 'custom':\n    return 1;\n}",
    "context.addIssue({ code: 'custom', path: ['serverType'] });",
    'return and(eq(serverProfiles.serverType, id), condition(value));',
    'checked={serverType === type}',
    "oauthProfile({ title: 'Gmail (OAuth)', serverType: 'gmail' });",
  ])('leaves %j alone', (source) => {
    expect(literalProviderTests(source)).toEqual([]);
  });
});

describe('provider ids outside lib/providers', () => {
  const files = SEARCHED.flatMap(sourceFiles);

  it('searches the whole source, descriptors included in the count but not in the search', () => {
    expect(files).toEqual(expect.arrayContaining(['lib/validations/profiles.ts', 'lib/connect/start-authorization.ts', 'lib/providers/gmail.ts', 'db/schema.ts']));
    expect(files.length).toBeGreaterThan(200);
  });

  it('are never compared with a server type: code reads the descriptor instead', () => {
    const offences = files
      .filter((file) => !file.startsWith(HOME))
      .flatMap((file) => literalProviderTests(readFileSync(path.join(root, file), 'utf8')).map((hit) => `${file}:${hit}`));
    expect(offences).toEqual([]);
  });
});
