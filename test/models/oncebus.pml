/* oncebus's inbox pipeline as implemented (src/pipelines/inbox), checked over every interleaving of two
   competing consumers, duplicate publishes, handler failures (retry by re-enqueue), infrastructure
   failures (rollback + release, no failure counted) and crashes between any two steps.
   It extends the shared model of DESIGN.md's contract with what oncebus adds:
   - ENLISTED sends: when the follow-up F goes to a SQL queue in the idempotence database, it is inserted
     into that queue inside the handler's transaction (no stored send, no flush);
   - release on an infrastructure failure (store, commit, flush, transport): the transaction rolls back and
     the copy goes back unacknowledged;
   - a retry copy is enqueued before the original is acknowledged.
   Properties: the effect commits at most once; at the end the effect committed exactly once, F was
   dispatched at least once, nothing is still stored, and the row is completed. */

#define NONE 0
#define HANDLED 1
#define COMPLETED 2

#define ASSIGNED 1
#define MSGHANDLED 2
#define IGNORE 3

byte copies = 2;
byte inflight = 0;
byte row = NONE;
byte lockHolder = 0;
byte effect = 0;
byte stored = 0;
byte fsent = 0;
byte crashes = 0;
byte failures = 0;
byte outages = 0;
byte done = 0;
bool enlisted;            /* chosen once: F goes to a queue of the same database */
#define MAXCRASH 3
#define MAXFAIL 2
#define MAXOUTAGE 2

/* a crash: the open transaction rolls back, the unacknowledged copy goes back to the broker */
inline crash() {
  atomic {
    crashes < MAXCRASH ->
      crashes++;
      if :: lockHolder == me -> lockHolder = 0 :: else -> skip fi;
      inflight--; copies++;
      goto restart
  }
}

/* an infrastructure failure: roll back, release the copy (no failure counted), go on with the next one */
inline outage() {
  atomic {
    outages < MAXOUTAGE ->
      outages++;
      if :: lockHolder == me -> lockHolder = 0 :: else -> skip fi;
      inflight--; copies++;
      goto restart
  }
}

proctype Consumer(byte me) {
  byte status;
restart:
  do
  :: atomic { copies > 0 -> copies--; inflight++ }
     if :: crash() :: outage() :: skip fi;
     /* onCheckIdempotence: begin; claim (waits while another open transaction holds it) */
     atomic {
       lockHolder == 0 ->
       if
       :: row == NONE -> lockHolder = me; status = ASSIGNED
       :: row == HANDLED -> status = MSGHANDLED
       :: row == COMPLETED -> status = IGNORE
       fi
     }
     if :: crash() :: outage() :: skip fi;
     if
     :: status == ASSIGNED ->
        if
        :: failures < MAXFAIL ->
           /* onHandleMessage throws: rollback, retry copy enqueued, then the original acknowledged */
           failures++;
           atomic { lockHolder = 0; copies++ }
           if :: crash() :: skip fi;
           inflight--;
           goto restart
        :: true ->
           if :: crash() :: outage() :: skip fi;
           /* onCommitUnitOfWork: handler writes + F (stored, or enlisted into its queue) + handled mark */
           atomic {
             effect++; row = HANDLED; lockHolder = 0;
             if :: enlisted -> fsent++ :: else -> stored = 1 fi
           }
        fi
     :: else -> skip
     fi;
     if
     :: status == ASSIGNED || status == MSGHANDLED ->
        if :: crash() :: outage() :: skip fi;
        /* onSendDeferred: the flush pipeline per stored send: dispatch, then delete */
        if
        :: stored == 1 ->
           fsent++;
           if :: crash() :: outage() :: skip fi;
           stored = 0
        :: else -> skip
        fi;
        if :: crash() :: outage() :: skip fi;
        row = COMPLETED            /* onProcessingCompleted */
     :: else -> skip
     fi;
     if :: crash() :: outage() :: skip fi;
     inflight--                   /* onAcknowledgeMessage */
  :: atomic { copies == 0 && inflight == 0 -> break }
  od;
  done++
}

init {
  if :: enlisted = true :: enlisted = false fi;
  atomic { run Consumer(1); run Consumer(2) }
  done == 2;
  assert(effect == 1);
  assert(fsent >= 1);
  assert(stored == 0);
  assert(row == COMPLETED)
}

ltl atMostOnce { [] (effect <= 1) }
