import type { Command } from 'commander';
import { registerConfig } from './config.js';
import { registerSimulator } from './simulator.js';
import { registerServe } from './serve.js';
import { registerWorker } from './worker.js';
import { registerEnqueue } from './enqueue.js';
import { registerStatus } from './status.js';
import { registerMap } from './map.js';
import { registerReport } from './report.js';
import { registerDemo } from './demo.js';
import { registerGenerate } from './generate.js';
import { registerDuplicates } from './duplicates.js';

/** Each entry adds one command (with its own --help) to the program. One file per command. */
export const COMMANDS: ((program: Command) => void)[] = [
  registerConfig,
  registerSimulator,
  registerServe,
  registerWorker,
  registerEnqueue,
  registerStatus,
  registerMap,
  registerReport,
  registerDemo,
  registerGenerate,
  registerDuplicates,
];
