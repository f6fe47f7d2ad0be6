/** Library entry: start a gateway in-process (tests, embedding). The CLI is `amtsbote`. */
export { startGateway, type GatewayOptions, type RunningGateway } from './gateway/start.js';
export { loadConfig, type ConfigFiles } from './config/load.js';
export { AmtsboteError, type FieldError, type ProblemCode } from './lib/errors.js';
