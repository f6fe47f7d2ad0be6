/**
 * Configuration reload without a restart: services, their data schemas and assertions, mappings, code
 * lists and schema profiles are read again from the files, and swapped in only when all of them load and
 * still serve the routing in force — otherwise the running set stays as it was and the error names file and
 * pointer. Reached by `POST /admin/v1/config/reload` (what `amtsbote config reload` calls) and by SIGHUP.
 * Settings of gateway.yaml itself (listen address, store, keys, portals, admins) apply only on restart: a
 * reload whose gateway.yaml differs is refused, so /health/ready's hash never claims what is not in force.
 */
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { ConfigFiles, ConfigWithRoutingSeed } from '../config/load.js';
import { AmtsboteError, type FieldError } from '../lib/errors.js';
import type { ConfigurationSet } from '../intake/configuration-set.js';
import type { ConfigurationInForce } from './configuration-in-force.js';
import { compileDataValidators } from '../intake/data-validator.js';
import type { Logger } from '../lib/logger.js';
import type { RoutingState } from '../routing/routing-state.js';
import { validateRouting } from '../config/validate-routing.js';
import type { Reload, ReloadOutcome } from '../http/admin/config-routes.js';
import { din91379Keyword, findMapping, loadXoev, type Xoev } from '../xoev/index.js';

export type { ReloadOutcome };

export interface ConfigReloader extends Reload {
  /** Frees the XÖV sets of earlier generations still waiting for their requests to finish. */
  close(): void;
}

/** Requests that began before a swap keep the old XÖV set; it is freed once they can no longer be running. */
const retireAfterMs = 150_000;

export function configReloader(options: {
  configuration: ConfigurationInForce;
  routing: RoutingState;
  load: () => ConfigWithRoutingSeed;
  logger: Logger;
}): ConfigReloader {
  const { configuration, routing, logger } = options;
  const retiring = new Map<NodeJS.Timeout, Xoev>();
  let queue: Promise<unknown> = Promise.resolve();

  const reloadNow = (): ReloadOutcome => {
    const current = configuration.current().config;
    let next: ConfigWithRoutingSeed;
    let validators: ConfigurationSet['validators'];
    let xoev: Xoev;
    try {
      next = options.load();
      if (!isDeepStrictEqual(next.gateway, current.gateway)) {
        throw new AmtsboteError(
          'invalid-config',
          `${next.configFile}: gateway.yaml differs from the running one; its settings apply only on restart`,
          [{ pointer: '', detail: 'restart the gateway to apply changes to gateway.yaml' }],
          { file: next.configFile },
        );
      }
      validators = compileDataValidators(next.services, [din91379Keyword]);
      xoev = loadXoev(next.paths);
    } catch (error) {
      throw refused(error);
    }
    const problems = routingProblems(next, xoev, routing);
    if (problems.length > 0) {
      xoev.close();
      const version = routing.current().version;
      throw new AmtsboteError(
        'config-rejected',
        `The routing in force (version ${version}) would not be served by the new configuration:\n${problems.map((p) => `  ${p.pointer}: ${p.detail}`).join('\n')}`,
        problems,
        { routingVersion: version },
      );
    }
    if ('problem' in next.routingSeed) {
      // routing.yaml only seeds an empty store; the routing in force is the store's and was checked above.
      logger.warn(
        { file: resolve(next.configDir, next.gateway.routing), errors: next.routingSeed.problem.errors },
        'routing.yaml is invalid and ignored: the routing in the store stays in force',
      );
    }
    // One synchronous step: a request sees either the old set or the new one, never a mix.
    const { xoev: previous } = configuration.replace({ config: next, validators, xoev });
    const timer = setTimeout(() => {
      retiring.delete(timer);
      previous.close();
    }, retireAfterMs);
    timer.unref();
    retiring.set(timer, previous);
    const outcome = {
      configHash: next.hash,
      previousConfigHash: current.hash,
      services: next.services.size,
      mappings: xoev.mappings.mappings.length,
    };
    logger.info(outcome, 'configuration reloaded');
    return outcome;
  };

  return {
    reload() {
      // One reload at a time: two overlapping ones would each validate against the same old set.
      const result = queue.then(reloadNow);
      queue = result.catch((error: unknown) => {
        // The problem names files and pointers of configuration, never submission data.
        logger.error(
          { problem: (error as Error).message, errors: (error as AmtsboteError).errors },
          'configuration reload refused; the running configuration stays',
        );
      });
      return result;
    },
    close() {
      for (const [timer, xoev] of retiring) {
        clearTimeout(timer);
        xoev.close();
      }
      retiring.clear();
    },
  };
}

function refused(error: unknown): unknown {
  if (!(error instanceof AmtsboteError) || error.code !== 'invalid-config') return error;
  return new AmtsboteError('config-rejected', error.message, error.errors, error.extensions);
}

/** Every rule of the routing in force must name known services, and each destination must have a mapping. */
function routingProblems(next: ConfigFiles, xoev: Xoev, routing: RoutingState): FieldError[] {
  const { routing: document } = routing.current();
  const checked = validateRouting(document, new Set(next.services.keys()), next.fileDropRoot);
  if ('errors' in checked) return checked.errors;
  const destinations = new Map(document.destinations.map((d) => [d.id, d]));
  const problems: FieldError[] = [];
  document.rules.forEach((rule, i) => {
    if (next.services.get(rule.service)?.definition.standard === undefined) return;
    const ids = [
      ...rule.destinations.map((id, j) => [id, `/rules/${i}/destinations/${j}`] as const),
      ...(rule.deferred?.destinations ?? []).map((id, j) => [id, `/rules/${i}/deferred/destinations/${j}`] as const),
    ];
    for (const [id, pointer] of ids) {
      const standard = destinations.get(id)?.standard;
      if (!standard) continue;
      try {
        findMapping(
          xoev.mappings,
          { standard: standard.name, version: standard.version, message: standard.message },
          rule.service,
        );
      } catch (error) {
        if (!(error instanceof AmtsboteError)) throw error;
        problems.push({ pointer, detail: `destination ${id}: ${error.message}` });
      }
    }
  });
  return problems;
}
