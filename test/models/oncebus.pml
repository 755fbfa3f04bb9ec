/* oncebus's inbox pipeline as implemented (src/pipelines/inbox), checked over every interleaving of two
   competing consumers, duplicate publishes, handler failures (retry by re-enqueue), infrastructure
   failures (rollback + release, no failure counted), crashes between any two steps, and the message
   expiring at any moment.
   It extends the model of the idempotence contract with what oncebus adds:
   - a publish to NR subscribers: the handler stores one row per recipient, all with F's messageId; the
     flush dispatches them one by one and settles each by its own row (deferredMessageSent deletes by
     sequence), so a flush cut short leaves exactly the rows not yet sent;
   - ENLISTED sends: when F goes to SQL queues in the idempotence database, it is inserted into them
     inside the handler's transaction (no stored send, no flush);
   - the flush lease: the commit that marks the row 'handled' gives the committing copy the lease; a copy
     that finds the row 'handled' waits while another copy holds it, then takes it and flushes what is
     still stored (nothing, if the row is 'completed' by then). A lease ends at completion, on the
     holder's failure (released), at its crash, or when it runs out while its holder is still flushing
     (LAPSE: bounded, and then two copies may both dispatch - the receivers drop the duplicate by id);
   - expiry (CheckExpiredObserver, before the idempotence check): once the message has expired, a copy
     is acknowledged and dropped unless the row is 'handled' (committed work owes its sends: it goes on
     to the idempotence check and the flush);
   - release on an infrastructure failure (store, commit, flush, transport): the transaction rolls back,
     the lease is released and the copy goes back unacknowledged;
   - a retry copy is enqueued before the original is acknowledged.
   Properties: the effect commits at most once; at the end either the effect committed exactly once, F
   was dispatched to every recipient at least once, nothing is still stored and the row is completed -
   or the message expired before its work committed, and nothing happened at all. In a run without
   crashes, outages or lapsed leases, each recipient got F exactly once. */

#define NONE 0
#define HANDLED 1
#define COMPLETED 2

#define ASSIGNED 1
#define MSGHANDLED 2
#define IGNORE 3

#define NR 3                /* recipients of F (a publish to three subscribers) */
#define ALL 7               /* a bit per recipient */

byte copies = 2;
byte inflight = 0;
byte row = NONE;
byte lockHolder = 0;
byte lease = 0;             /* the consumer holding the flush lease, 0 = nobody */
byte effect = 0;
byte stored = 0;            /* committed rows of F not yet settled, a bit per recipient */
byte fsent[NR];             /* F dispatched, per recipient */
bool expired = false;
byte crashes = 0;
byte failures = 0;
byte outages = 0;
byte lapses = 0;
byte done = 0;
bool enlisted;              /* chosen once: F goes to queues of the same database */
bool expires;               /* chosen once: the message has an expiry date */
#define MAXCRASH 2
#define MAXFAIL 1
#define MAXOUTAGE 2
#define MAXLAPSE 1

/* a crash: the open transaction rolls back, the unacknowledged copy goes back to the broker; the lease
   it held runs out (waiting for that is the same as it ending now) */
inline crash() {
  atomic {
    crashes < MAXCRASH ->
      crashes++;
      if :: lockHolder == me -> lockHolder = 0 :: else -> skip fi;
      if :: lease == me -> lease = 0 :: else -> skip fi;
      inflight--; copies++;
      goto restart
  }
}

/* an infrastructure failure: roll back, release the lease and the copy (no failure counted) */
inline outage() {
  atomic {
    outages < MAXOUTAGE ->
      outages++;
      if :: lockHolder == me -> lockHolder = 0 :: else -> skip fi;
      if :: lease == me -> lease = 0 :: else -> skip fi;
      inflight--; copies++;
      goto restart
  }
}

/* time passes: the message's expiry date goes by */
inline tick() {
  if :: expires && !expired -> expired = true :: skip fi
}

proctype Consumer(byte me) {
  byte status;
  byte mine;                /* the stored rows this copy read when it took the lease */
  byte r;
restart:
  do
  :: atomic { copies > 0 -> copies--; inflight++ }
     tick();
     if :: crash() :: outage() :: skip fi;
     /* onCheckExpired: an expired copy is dropped unless its work committed and owes its sends */
     if
     :: atomic { expired && row != HANDLED -> inflight-- }   /* EXPIRY CHECK */
        goto restart
     :: else -> skip
     fi;
     tick();
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
           tick();
           if :: crash() :: outage() :: skip fi;
           /* onCommitUnitOfWork: handler writes + F per recipient (stored, or enlisted into its queue) +
              the handled mark, which takes the flush lease */
           atomic {
             effect++; row = HANDLED; lockHolder = 0; lease = me;
             if
             :: enlisted -> r = 0; do :: r < NR -> fsent[r]++; r++ :: else -> break od
             :: else -> stored = ALL
             fi
           }
        fi
     :: else -> skip
     fi;
     if
     :: status == ASSIGNED || status == MSGHANDLED ->
        if :: crash() :: outage() :: skip fi;
        /* onSendDeferred: hold the lease (wait while another copy holds it; or it lapses), read the
           stored rows, then per row: dispatch, settle that row */
        atomic {
          if
          :: lease == 0 || lease == me -> lease = me      /* FLUSH LEASE */
          :: lease != 0 && lease != me && lapses < MAXLAPSE -> lapses++; lease = me
          fi;
          mine = stored
        }
        r = 0;
        do
        :: r < NR ->
           if
           :: (mine & (1 << r)) != 0 ->
              fsent[r]++;
              if :: crash() :: outage() :: skip fi;
              stored = stored & (ALL - (1 << r))           /* SETTLE ONE */
           :: else -> skip
           fi;
           r++
        :: else -> break
        od;
        if :: crash() :: outage() :: skip fi;
        atomic { row = COMPLETED; if :: lease == me -> lease = 0 :: else -> skip fi }   /* onProcessingCompleted */
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
  if :: expires = true :: expires = false fi;
  atomic { run Consumer(1); run Consumer(2) }
  done == 2;
  assert(effect <= 1);
  assert(stored == 0);
  if
  :: effect == 1 ->
     assert(row == COMPLETED);
     assert(fsent[0] >= 1 && fsent[1] >= 1 && fsent[2] >= 1);
     /* re-sends belong to crash and failure recovery alone */
     assert(crashes + outages + lapses > 0 || (fsent[0] == 1 && fsent[1] == 1 && fsent[2] == 1))
  :: else ->
     assert(expired && row == NONE && fsent[0] == 0 && fsent[1] == 0 && fsent[2] == 0)
  fi
}

ltl atMostOnce { [] (effect <= 1) }
