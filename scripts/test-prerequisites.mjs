#!/usr/bin/env node
// Checks what the test suite needs beyond node_modules and provides it where it can: Debian packages
// (installed with apt-get when running as root) and local services (started with the machine's own
// start command when down). Anything it cannot provide stops the run with a message naming it exactly.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';

/** Debian packages the tests use, with what for. */
const debianPackages = [
  {
    name: 'libxml2-utils',
    why: 'xmllint validates produced XÖV messages against the schemas independently of the gateway',
  },
  {
    name: 'python3-jwcrypto',
    why: 'an independent JOSE implementation opens sealed messages in test/receiver/jwcrypto.test.ts',
  },
  // playwright-core drives Debian's Chromium; a browser is never downloaded
  {
    name: 'chromium',
    binary: '/usr/bin/chromium',
    why: 'the admin page browser tests (test/e2e/admin-page.e2e.test.ts) run in headless Chromium',
  },
  {
    name: 'postgresql-15',
    why: "the PostgreSQL store tests; tests that restart PostgreSQL run a private cluster with its initdb and pg_ctl; psql restores the upgrade fixture's dump",
  },
];

/** Services the tests talk to over a real connection, with the start command of this kind of machine. */
const services = [
  {
    name: 'RabbitMQ',
    host: '127.0.0.1',
    port: 5672,
    start: 'rabbitmq-server -detached',
    why: 'the amqp adapter tests publish to the real broker',
  },
  {
    name: 'PostgreSQL',
    host: '127.0.0.1',
    port: 5432,
    // pg_isready answers only once the server accepts connections (an open port may still be starting up)
    ready: () => spawnSync('pg_isready', ['-q', '-h', '127.0.0.1'], { timeout: 10_000 }).status === 0,
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    why: 'the store suite, the multi-instance e2e test and the store benchmark run against the real server',
  },
];

const problems = [];

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19))
    problems.push(`Node.js >= 20.19 is required (found ${process.versions.node})`);
}

function installed(pkg) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

function aptInstall(names) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...names], { env, stdio: 'inherit' }).status ===
    0;
  if (install()) return true;
  // A fresh machine may have no package lists yet.
  spawnSync('apt-get', ['update'], { env, stdio: 'inherit' });
  return install();
}

/** A package with a binary counts as present when the binary is there (however it got there). */
const present = (p) => (p.binary ? existsSync(p.binary) : installed(p.name));

function checkDebianPackages() {
  if (spawnSync('dpkg-query', ['--version']).status !== 0) {
    problems.push(`not a Debian system: install ${debianPackages.map((p) => p.name).join(', ')} by other means`);
    return;
  }
  const missing = debianPackages.filter((p) => !present(p));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  if (process.getuid?.() === 0) {
    console.log(`test prerequisites: installing Debian packages ${names.join(', ')}`);
    if (aptInstall(names) && missing.every(present)) return;
  }
  for (const p of missing)
    problems.push(`Debian package ${p.name} is missing (${p.why}): run "apt-get install -y ${p.name}" as root`);
}

function reachable(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function isUp(service) {
  return service.ready ? service.ready() : reachable(service.host, service.port);
}

async function checkServices() {
  for (const service of services) {
    if (await isUp(service)) continue;
    console.log(`test prerequisites: ${service.name} is down; starting it with: ${service.start}`);
    try {
      execFileSync('sh', ['-c', service.start], { stdio: 'inherit', timeout: 120_000 });
    } catch {
      // reported below if it is still unreachable
    }
    const deadline = Date.now() + 60_000;
    let up = false;
    while (!up && Date.now() < deadline) {
      up = await isUp(service);
      if (!up) await new Promise((r) => setTimeout(r, 1000));
    }
    if (!up)
      problems.push(
        `${service.name} is not reachable on ${service.host}:${service.port} (start it with: ${service.start})`,
      );
  }
}

checkNode();
checkDebianPackages();
await checkServices();
if (problems.length > 0) {
  console.error('test prerequisites missing:\n' + problems.map((p) => `  - ${p}`).join('\n'));
  process.exit(1);
}
console.log('test prerequisites: ok');
