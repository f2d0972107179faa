// What a log channel says besides the log itself: the extension's own lines (`--- ... ---`, which
// the grammar colours apart) for a follower's events and for the pods of a deployment.
import type { AggregateEvent } from './aggregate.ts';
import type { FollowEvent } from './follower.ts';

/** The extension's own lines in a log channel; the grammar colours them apart from the app's. */
export function markerLine(text: string): string {
  return `--- ${text} ---`;
}

/** One line for the channel for each event but `line`, without the `--- ---` marks. */
export function describeFollowEvent(event: FollowEvent): string | undefined {
  switch (event.type) {
    case 'line':
      return undefined;
    case 'following':
      if (event.defaulted) {
        return `following container ${event.container} (the pod also has: ${event.defaulted.from.filter((c) => c !== event.container).join(', ')})`;
      }
      return event.resumed ? 'reconnected' : undefined;
    case 'waiting':
      if (event.imagePull) {
        return `no logs yet: the image of ${event.container} cannot be pulled (${event.reason}${event.message ? `: ${event.message}` : ''}). A local image needs \`k3d image import\` and imagePullPolicy IfNotPresent or Never`;
      }
      return `waiting for ${event.container} to start (${event.reason}${event.message ? `: ${event.message}` : ''})`;
    case 'restarted':
      return `container ${event.container} restarted (restart ${event.restartCount}${event.exitCode !== undefined ? `, the previous run exited with code ${event.exitCode}${event.exitReason ? ` ${event.exitReason}` : ''}` : ''})`;
    case 'reconnecting':
      return `${event.message.replace(/\.$/, '')}; reconnecting in ${formatDelay(event.delayMs)} (attempt ${event.attempt})`;
    case 'ended':
      switch (event.reason) {
        case 'podDeleted':
          return 'pod deleted';
        case 'stopped':
          return 'stopped following';
        default:
          return event.message;
      }
  }
}

/** The channel's line for an event of one pod's follower (undefined: nothing to show). */
export function formatFollowEvent(event: FollowEvent, timestamps = false): string | undefined {
  if (event.type === 'line') {
    return timestamps && event.time ? `${event.time.raw} ${event.text}` : event.text;
  }
  const text = describeFollowEvent(event);
  return text === undefined ? undefined : markerLine(text);
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** The channel's line for an event (undefined: nothing to show). `timestamps` puts the kubelet's time first. */
export function formatAggregateEvent(event: AggregateEvent, timestamps = false): string | undefined {
  switch (event.type) {
    case 'line':
      return `${timestamps && event.time ? `${event.time.raw} ` : ''}${event.prefix}${event.text}`;
    case 'joined':
      return event.initial ? undefined : event.prefix + markerLine(`pod ${event.pod} joined`);
    case 'left':
      switch (event.reason) {
        case 'podDeleted':
          return event.prefix + markerLine(`pod ${event.pod} deleted`);
        case 'stopped':
          return undefined;
        default:
          return event.prefix + markerLine(event.message || `stopped following pod ${event.pod}`);
      }
    case 'status': {
      const text = describeFollowEvent(event.event);
      return text === undefined ? undefined : event.prefix + markerLine(text);
    }
    case 'listError':
      return markerLine(`cannot list the pods (${event.message.replace(/\.$/, '')}); trying again in ${Math.round(event.retryInMs / 1000)} s`);
    case 'ended':
      return markerLine('stopped following');
  }
}
