import type { DemoFrame } from './demo-monitor.js';
import type { StoryEvent } from './story-events.js';

/** Shows the demo as it runs: a live dashboard on a terminal, or plain lines for logs. */
export interface DemoRenderer {
  /** A story or client event, as it happens. */
  event(event: StoryEvent): void;
  /** The numbers now (called a few times a second). */
  frame(frame: DemoFrame): void;
  /** The story is over (or interrupted): show `last` for good and leave the screen as text. */
  close(last: DemoFrame): void;
}
