export { ChaosError, InvalidOptionError, ServerNotInstalledError, ServerStartError } from './errors.js';
export { startFleet } from './fleet.js';
export type { Fleet, FleetOptions } from './fleet.js';
export { PID_LOG_ENV } from './internal/pid-log.js';
export { SERVER_KINDS } from './server-kind.js';
export type { ServerKind, ServerOptions } from './server-kind.js';
export { ServerProcess } from './server-process.js';
export type { ServerProcessOptions } from './server-process.js';
