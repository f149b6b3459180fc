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
