import type { GradingStreamEvent } from "@/lib/live/grading-stream-reducer";

/** What a live channel tells the follower; each transport uses the callbacks it can fill. */
export interface LiveChannelHandlers {
  /** The channel is connected: polling can stop. */
  onOpen(): void;
  /** An event carrying its own data (SSE). */
  onEvent(event: GradingStreamEvent): void;
  /** Something changed but the message carries no usable state (Realtime): refetch. */
  onChange(): void;
  /** The channel errored or closed before the final event. Called at most once. */
  onLost(reason: string): void;
}

export interface LiveChannel {
  close(): void;
}

export interface OpenLiveChannelOptions {
  submissionId: string;
  /** Resume after this rating seq (SSE Last-Event-ID on the first connection). */
  afterSeq: number;
  handlers: LiveChannelHandlers;
}

export type OpenLiveChannel = (options: OpenLiveChannelOptions) => LiveChannel;
