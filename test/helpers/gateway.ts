import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../src/gateway/start.js';
import { createLogger } from '../../src/lib/logger.js';
import { projectRoot } from './paths.js';

export interface TestGateway extends RunningGateway {
  dataDir: string;
  /** Every log line the gateway wrote, as text. */
  logs(): string;
  stop(): Promise<void>;
}

/** Starts the gateway in-process on a free port with a temporary data dir and the demo configuration. */
export async function startTestGateway(options: GatewayOptions & { dataDir?: string } = {}): Promise<TestGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'amtsbote-test-'));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const gateway = await startGateway({
    configFile: join(projectRoot, 'config/gateway.yaml'),
    ...options,
    env: { AMTSBOTE_DATA_DIR: dataDir, AMTSBOTE_PORT: '0', AMTSBOTE_METRICS_PORT: '0', ...options.env },
    logger: options.logger ?? createLogger({ level: 'debug', destination }),
  });
  return {
    ...gateway,
    dataDir,
    logs: () => lines.join(''),
    async stop() {
      await gateway.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
