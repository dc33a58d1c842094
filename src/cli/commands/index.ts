import type { Command } from 'commander';
import { registerConfig } from './config.js';

/** Each entry adds one command (with its own --help) to the program. */
export const COMMANDS: ((program: Command) => void)[] = [registerConfig];
