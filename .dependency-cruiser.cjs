// The import rules of the layers (README, "who may import whom"), checked by `npm run lint`.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file, the configuration format dependency-cruiser loads */
const fs = require('node:fs');
const path = require('node:path');

const root = __dirname;
const SOURCE_FOLDERS = ['app', 'lib', 'db'];

function sourceFiles(folder) {
  const absolute = path.join(root, folder);
  if (!fs.existsSync(absolute)) return [];
  return fs
    .readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A path rule matching exactly these files, or nothing when there are none. */
const exactly = (files) => (files.length > 0 ? `^(${files.map(escape).join('|')})$` : '^$.');

// dependency-cruiser sees imports, not directives: the files are found by their first statement,
// so that every client component is covered without a naming convention to remember.
const files = SOURCE_FOLDERS.flatMap(sourceFiles);
const firstStatement = (file) =>
  fs
    .readFileSync(path.join(root, file), 'utf8')
    .replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '')
    .slice(0, 40);
const clientComponents = files.filter((file) => /^['"]use client['"]/.test(firstStatement(file)));
const serverOnlyModules = files.filter((file) => /^import ['"]server-only['"]/.test(firstStatement(file)));

/**
 * Folders that import one way only: `from` may use `to`, never the reverse. lib/mailboxes holds the
 * status machine and the failure codes, below the domains that change a mailbox's state.
 */
const ONE_WAY = [
  { lower: 'oauth', upper: 'tokens', why: 'lib/tokens refreshes and disconnects grants with the OAuth protocol of lib/oauth.' },
  { lower: 'oauth', upper: 'connect', why: 'lib/connect runs a sign-in with the OAuth protocol and the authorization records of lib/oauth.' },
  { lower: 'tokens', upper: 'connect', why: 'A connect ends by storing its grant in lib/tokens.' },
  { lower: 'mail', upper: 'tester', why: 'lib/tester checks servers with the transports of lib/mail.' },
  { lower: 'mailboxes', upper: 'tester', why: 'The tester records its verdict through the status machine.' },
  { lower: 'mailboxes', upper: 'tokens', why: 'lib/tokens records a refused sign-in through the status machine.' },
  { lower: 'mailboxes', upper: 'oauth', why: 'The OAuth records name their mailbox; the status machine knows nothing of OAuth.' },
  { lower: 'mailboxes', upper: 'connect', why: 'A connect records its mailbox through the status machine.' },
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles-between-lib-folders',
      comment: 'lib/<domain> folders import one way; a cycle inside one folder is that folder’s business.',
      severity: 'error',
      from: { path: '^lib/([^/]+)/' },
      to: { circular: true, viaSomeNot: '^lib/$1/' },
    },
    {
      name: 'app-never-imports-db',
      comment: 'Pages, actions and route handlers go through lib/, which owns the tables.',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^db/' },
    },
    ...ONE_WAY.map(({ lower, upper, why }) => ({
      name: `${lower}-never-imports-${upper}`,
      comment: why,
      severity: 'error',
      from: { path: `^lib/${lower}/` },
      to: { path: `^lib/${upper}/` },
    })),
    {
      name: 'client-components-never-import-server-modules',
      // A type-only import is erased by the compiler: nothing of the module reaches the browser.
      comment: '"use client" files run in the browser: no database, no module marked server-only.',
      severity: 'error',
      from: { path: exactly(clientComponents) },
      to: { path: ['^db/', '(^|/)node_modules/server-only/', exactly(serverOnlyModules)], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^\\.next/', '^node_modules/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
