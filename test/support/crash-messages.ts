import { messageType } from '../../src/messages/message-type.js';

@messageType('crash.WorkItem')
export class WorkItem {
  constructor(public n = 0) {}
}

@messageType('crash.FollowUp')
export class FollowUp {
  constructor(
    public n = 0,
    public part = '',
  ) {}
}
