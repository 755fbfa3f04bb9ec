import type { IOncebusModule, PipelineBuilders } from '../../src/extending.js';

/**
 * The demo's `--crash`: kills this process (SIGKILL, no cleanup at all) right after the unit of work of
 * one chosen message committed — its saga state is durable, its acknowledgement never happens — the way a
 * power cut or an OOM kill would. Added through the public pipeline hook, as any extension.
 */
export class CrashAfterCommit implements IOncebusModule {
  private armedFor: { readonly messageType: string; readonly correlationId: string } | undefined;

  arm(messageType: string, correlationId: string): void {
    this.armedFor = { messageType, correlationId };
  }

  register(pipelines: PipelineBuilders): void {
    pipelines.inbox.addObserver({
      event: 'onAfterCommitUnitOfWork',
      execute: (state) => {
        const tm = state.transportMessage;
        if (this.armedFor?.messageType === tm.messageType && this.armedFor.correlationId === tm.correlationId) process.kill(process.pid, 'SIGKILL');
      },
    });
  }
}
