// Our npm registry serves only the packages this platform can install, so `npm install` leaves the
// other platforms' optional binaries (@next/swc-darwin-arm64, @rollup/rollup-win32-x64-msvc, …)
// out of package-lock.json, and `npm ci` then refuses the lock file as out of sync. This adds them
// back as the optional, platform-bound entries npm itself would write, so `npm ci` accepts the lock
// and skips them on this platform. Run it after changing dependencies: node scripts/complete-lockfile.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['darwin', 'win32', 'linux', 'freebsd', 'openbsd', 'netbsd', 'android', 'sunos', 'aix', 'openharmony'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'riscv64', 'ppc64', 's390x', 'loong64', 'mips64el', 'wasm32'];

function missingFromLock() {
  try {
    execFileSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { stdio: 'pipe' });
    return [];
  } catch (error) {
    const output = `${error.stdout}${error.stderr}`;
    return [...output.matchAll(/Missing: (@?[^@\s]+)@\S* from lock file/g)].map((match) => match[1]);
  }
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const missing = missingFromLock();
for (const name of missing) {
  const parent = Object.values(lock.packages).find((entry) => entry.optionalDependencies?.[name]);
  if (!parent) throw new Error(`No package in the lock file wants ${name}`);
  const parts = name.split(/[/-]/);
  const os = OS.filter((token) => parts.includes(token));
  const cpu = CPU.filter((token) => parts.includes(token));
  lock.packages[`node_modules/${name}`] = {
    version: parent.optionalDependencies[name].replace(/^[\^~=]/, ''),
    optional: true,
    ...(os.length ? { os } : {}),
    ...(cpu.length ? { cpu } : {}),
  };
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(missing.length ? `Added ${missing.length} other-platform optional packages to package-lock.json.` : 'package-lock.json is complete.');
