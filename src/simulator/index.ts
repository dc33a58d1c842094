/**
 * National simulator (contract v1). `startSimulator(opts)` → RunningSimulator.
 * Admin endpoints (bearer admin token, default `demo-admin-token`) under `/_sim/`:
 * GET /_sim/health (no auth), GET /_sim/inspect, GET|POST /_sim/faults, POST /_sim/reset,
 * POST /_sim/expire-tokens {clientId?}, POST /_sim/snapshot.
 */
export { startSimulator, parseFaults, parseClients, readClientsFile, DEFAULT_CLIENT, DEFAULT_ADMIN_TOKEN, API_PREFIX, type RunningSimulator } from './server.js';
export { checkFaultConfig } from './faults.js';
export type { SimClient, SimulatorOptions, FaultConfig, LatencyConfig, FaultAction, ScriptedFault, FaultStatus, InspectReport, InspectRecord } from './types.js';
