export { runDemo } from './commands/demo.js';
export type { DemoOptions } from './commands/demo.js';
export type { DemoSummary } from './demo/demo-summary.js';
export type { StoryEvent } from './demo/story-events.js';
export { CliError, UsageError } from './errors.js';
export type { CliErrorCode } from './errors.js';
export type { Terminal } from './internal/terminal.js';
export { main } from './main.js';
export type { CliOutput } from './main.js';
