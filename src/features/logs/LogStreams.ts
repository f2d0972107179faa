import * as vscode from 'vscode';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { loadClientNode, loadKubeConfig } from '../../core/kube/gateway.ts';
import { coreV1Pods, labelSelector } from '../../core/kube/pods.ts';
import { aggregatePodLogs } from '../../core/logs/aggregate.ts';
import { formatAggregateEvent, formatFollowEvent, markerLine } from '../../core/logs/channelText.ts';
import { followPodLog } from '../../core/logs/follower.ts';
import { LineBatcher } from '../../core/logs/lineBatcher.ts';
import type { Ctx } from '../../ctx.ts';

export const LOG_LANGUAGE = 'k3d-logs';

export type LogTarget =
  | { kind: 'pod'; context: string; namespace: string; pod: string; container?: string; previous?: boolean }
  | { kind: 'deployment'; context: string; namespace: string; name: string; matchLabels: Record<string, string> };

/** One output channel per pod (or deployment), reused when followed again. */
interface Stream {
  key: string;
  title: string;
  channel: vscode.OutputChannel;
  abort?: AbortController;
  batcher?: LineBatcher;
  target: LogTarget;
  shown: boolean;
}

/**
 * `kubectl logs -f`, in output channels coloured by the k3d-logs grammar: lines are appended in
 * batches and bounded, the stream survives restarts and dropped connections, and nothing takes
 * the focus after the channel is first shown.
 */
export class LogStreams implements vscode.Disposable {
  private readonly ctx: Ctx;
  private readonly streams = new Map<string, Stream>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly firstLine = new vscode.EventEmitter<LogTarget>();
  /** A followed stream (not a previous log) delivered its first line: `kubectl logs -f` works. */
  readonly onDidFollowLog = this.firstLine.event;

  constructor(ctx: Ctx) {
    this.ctx = ctx;
    this.timestamps = ctx.config.logTimestamps;
    ctx.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('k3d.logs.timestamps')) this.timestamps = ctx.config.logTimestamps;
      }),
    );
    ctx.register(
      // Closing a channel's editor stops its stream.
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme !== 'output') return;
        for (const s of this.streams.values()) {
          // Output channel documents are named output:extension-output-<extension id>-#<n>-<channel name>.
          if (s.abort && doc.uri.path.endsWith(`-${s.title}`)) {
            this.stop(s.key);
          }
        }
      }),
    );
  }

  /** Read once per change, not per line: streams can carry thousands of lines a second. */
  timestamps: boolean;

  private get tailLines(): number {
    return this.ctx.config.logTailLines;
  }

  active(): Stream[] {
    return [...this.streams.values()].filter((s) => s.abort);
  }

  all(): Stream[] {
    return [...this.streams.values()];
  }

  async follow(target: LogTarget): Promise<void> {
    const key = keyOf(target);
    let stream = this.streams.get(key);
    if (!stream) {
      const title = titleOf(target);
      stream = { key, title, channel: this.ctx.register(vscode.window.createOutputChannel(title, LOG_LANGUAGE)), target, shown: false };
      this.streams.set(key, stream);
    }
    this.stop(key, false);
    stream.target = target;
    if (!stream.shown) {
      stream.channel.show(true); // once, without taking the focus
      stream.shown = true;
    }
    const abort = new AbortController();
    const channel = stream.channel;
    const batcher = new LineBatcher({ flush: (lines) => channel.append(`${lines.join('\n')}\n`) });
    stream.abort = abort;
    stream.batcher = batcher;
    this.changed.fire();
    let sawLine = false;
    const onLine = (e: { type: string }) => e.type === 'line' && !sawLine && !(target.kind === 'pod' && target.previous) && ((sawLine = true), this.firstLine.fire(target));
    let kc: KubeConfig;
    try {
      kc = await loadKubeConfig(await loadClientNode(), target.context, this.ctx.kubeconfigPaths());
    } catch (e) {
      batcher.push(markerLine(`cannot connect to ${target.context}: ${(e as Error).message}`));
      this.finish(stream, abort);
      return;
    }
    const pods = await coreV1Pods(kc);
    const started = new Date().toLocaleTimeString();
    if (target.kind === 'pod') {
      batcher.push(markerLine(`${target.previous ? 'previous log of' : 'following'} pod/${target.pod}${target.container ? ` (${target.container})` : ''} in ${target.context}/${target.namespace} since ${started}`));
      void followPodLog(kc, {
        namespace: target.namespace,
        pod: target.pod,
        container: target.container,
        previous: target.previous,
        tailLines: target.previous ? undefined : this.tailLines,
        pods,
        signal: abort.signal,
        onEvent: (event) => {
          onLine(event);
          const line = formatFollowEvent(event, this.timestamps);
          if (line !== undefined) batcher.push(line);
          if (event.type === 'ended' && event.reason === 'error' && event.containers?.length) {
            void this.offerContainers(target, event.containers);
          }
        },
      }).then(() => this.finish(stream, abort));
    } else {
      batcher.push(markerLine(`following all pods of deployment/${target.name} in ${target.context}/${target.namespace} since ${started}`));
      void aggregatePodLogs(kc, {
        namespace: target.namespace,
        labelSelector: labelSelector(target.matchLabels),
        tailLines: this.tailLines,
        pods,
        signal: abort.signal,
        onEvent: (event) => {
          onLine(event);
          const line = formatAggregateEvent(event, this.timestamps);
          if (line !== undefined) batcher.push(line);
        },
      }).then(() => this.finish(stream, abort));
    }
  }

  private async offerContainers(target: LogTarget & { kind: 'pod' }, containers: string[]): Promise<void> {
    const pick = await vscode.window.showWarningMessage(
      `Pod ${target.pod} has no container '${target.container ?? ''}'. It has: ${containers.join(', ')}.`,
      ...containers.slice(0, 3),
    );
    if (pick) await this.follow({ ...target, container: pick });
  }

  private finish(stream: Stream, abort: AbortController): void {
    if (stream.abort !== abort) return; // a newer follow replaced it
    void stream.batcher?.close();
    stream.abort = undefined;
    this.changed.fire();
  }

  stop(key: string, say = true): void {
    const stream = this.streams.get(key);
    if (!stream?.abort) return;
    const abort = stream.abort;
    if (say) stream.batcher?.push(markerLine('stopped following'));
    abort.abort();
    this.finish(stream, abort);
  }

  clear(key: string): void {
    this.streams.get(key)?.channel.clear();
  }

  dispose(): void {
    for (const s of this.streams.values()) s.abort?.abort();
    this.changed.dispose();
    this.firstLine.dispose();
  }
}

function keyOf(t: LogTarget): string {
  return t.kind === 'pod' ? `${t.context}/${t.namespace}/pod/${t.pod}/${t.container ?? ''}${t.previous ? '/previous' : ''}` : `${t.context}/${t.namespace}/deployment/${t.name}`;
}

function titleOf(t: LogTarget): string {
  return t.kind === 'pod'
    ? `Logs: ${t.pod}${t.container ? `/${t.container}` : ''}${t.previous ? ' (previous)' : ''}`
    : `Logs: deployment/${t.name}`;
}

export function podContainers(pod: V1Pod): string[] {
  return (pod.spec?.containers ?? []).map((c) => c.name);
}
