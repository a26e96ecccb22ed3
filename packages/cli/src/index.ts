export { runDemo } from './commands/demo.js';
export type { DemoOptions, RoutedKey } from './commands/demo.js';
export { CliError, UsageError } from './errors.js';
export { main } from './main.js';
export type { CliOutput } from './main.js';
