import { resolve } from 'node:path';
import { defaultConfigFile } from '../config/load.js';
import { gatewaySchema } from '../config/gateway-schema.js';
import { readConfigFile } from '../config/read-yaml.js';

/** gateway.yaml alone (not its services or routing, which the gateway itself reads on reload), for its address. */
export function gatewayAddressSettings(configFile: string | undefined) {
  const file = resolve(configFile ?? process.env.AMTSBOTE_CONFIG ?? defaultConfigFile);
  const { listen, publicBaseUrl } = readConfigFile(file, gatewaySchema).value;
  const port = process.env.AMTSBOTE_PORT;
  return { listen: port && Number.isInteger(Number(port)) ? { ...listen, port: Number(port) } : listen, publicBaseUrl };
}
