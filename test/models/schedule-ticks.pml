/* oncebus's schedules (src/schedules) as implemented, checked over every interleaving of two processes of
   one endpoint that both fire the same tick of a schedule and both consume the endpoint's inbox, with
   crashes between any two steps, outages (an infrastructure failure: rollback and release), a failing
   tick handler (retry copy), a flush lease that runs out (LAPSE) and a tick send reported failed after
   the broker took it (the scheduler sends it again):
   - FIRE: a process's scheduler sends its own inbox the tick under the messageId derived from (inbox,
     schedule, tick) - the same id in every process (tickMessageId);
   - a crashed process restarts and, the tick being within `backfill`, fires it again; or it comes back
     later than that and skips it (the catch-up rule);
   - the inbox, as in oncebus.pml: claim the tick's idempotence record (waits while another open
     transaction holds it); the tick handler sends the user's message M held back in the tick's unit of
     work, which commits M's stored row with the record marked 'handled' (taking the flush lease); then the
     flush dispatches M and settles its row, the record is completed and the copy acknowledged. A copy that
     finds the record 'handled' takes the lease and flushes what is still stored; 'completed', it is dropped.
   The effect is a unit of work committing M's send: M is then sent as a new message.
   Properties: the effect happens at most once (asserted at each commit); at the end, once any process fired
   the tick, it happened exactly once, M was dispatched, nothing is stored and the record is completed (if
   every process came back past `backfill` before firing, the tick was skipped and nothing was sent). In a
   run without crashes, outages or lapsed leases, M was dispatched exactly once.
   Broken variant (-DDISTINCT_TICK_IDS): each process derives a tick id of its own (its process id in the
   derivation), so idempotence sees two messages and both may commit M's send. */

#define NONE 0
#define HANDLED 1
#define COMPLETED 2

#define ASSIGNED 1
#define MSGHANDLED 2
#define IGNORE 3

#ifdef DISTINCT_TICK_IDS
#define NID 2
#define TICKID(p) ((p) - 1)
#define NOCOPIES (copies[0] == 0 && copies[1] == 0)
#else
#define NID 1
#define TICKID(p) 0
#define NOCOPIES (copies[0] == 0)
#endif

#ifndef MAXCRASH
#define MAXCRASH 2
#endif
#ifndef MAXOUTAGE
#define MAXOUTAGE 1
#endif
#ifndef MAXFAIL
#define MAXFAIL 1
#endif
#ifndef MAXLAPSE
#define MAXLAPSE 1
#endif
#ifndef MAXRESEND
#define MAXRESEND 1
#endif

byte copies[NID];           /* tick copies ready on the inbox, by tick messageId */
byte inflight = 0;          /* tick copies taken, not yet acknowledged */
byte row[NID];              /* the tick's idempotence record, by tick messageId */
byte lockHolder[NID];       /* the process whose open transaction holds the claim, 0 = nobody */
byte lease[NID];            /* the process holding the flush lease, 0 = nobody */
bool stored[NID];           /* M's committed row, not yet settled */
byte effect = 0;            /* units of work that committed M's send */
byte msent = 0;             /* dispatches of M */
bool owe[3];                /* owe[p]: process p's current life has yet to fire the tick */
byte fired[NID];            /* tick copies sent by the schedulers, by tick messageId */
byte crashes = 0;
byte outages = 0;
byte failures = 0;
byte lapses = 0;
byte resends = 0;
byte done = 0;

/* a crash with a copy in hand: the open transaction rolls back, the copy goes back to the broker, the lease
   it held runs out (waiting for that is the same as it ending now); the process restarts */
inline crash() {
  atomic {
    crashes < MAXCRASH ->
      crashes++;
      if :: lockHolder[id] == me -> lockHolder[id] = 0 :: else -> skip fi;
      if :: lease[id] == me -> lease[id] = 0 :: else -> skip fi;
      inflight--; copies[id]++;
      goto restart
  }
}

/* an infrastructure failure (store, commit, flush, transport): roll back, release, the copy goes back */
inline outage() {
  atomic {
    outages < MAXOUTAGE ->
      outages++;
      if :: lockHolder[id] == me -> lockHolder[id] = 0 :: else -> skip fi;
      if :: lease[id] == me -> lease[id] = 0 :: else -> skip fi;
      inflight--; copies[id]++;
      goto next
  }
}

proctype Process(byte me) {
  byte id;
  byte status;
  bool mine;
  goto next;
restart:
  /* back within `backfill`: the tick is sent again at start; or back later: it is skipped */
  if :: owe[me] = true :: owe[me] = false fi;
next:
  do
  :: atomic { owe[me] -> copies[TICKID(me)]++; fired[TICKID(me)]++; owe[me] = false }      /* FIRE */
  :: atomic { owe[me] && resends < MAXRESEND -> resends++; copies[TICKID(me)]++; fired[TICKID(me)]++ }   /* FIRE, reported failed: still owed */
  :: atomic { crashes < MAXCRASH -> crashes++ }; goto restart                     /* a crash between copies */
  :: atomic { copies[0] > 0 -> copies[0]--; inflight++; id = 0 }
     goto handle
#ifdef DISTINCT_TICK_IDS
  :: atomic { copies[1] > 0 -> copies[1]--; inflight++; id = 1 }
     goto handle
#endif
  :: atomic { NOCOPIES && inflight == 0 && !owe[1] && !owe[2] -> break }
  od;
  goto finished;

handle:
  if :: crash() :: outage() :: skip fi;
  /* onCheckIdempotence: begin; claim the tick's record */
  atomic {
    lockHolder[id] == 0 ->
    if
    :: row[id] == NONE -> lockHolder[id] = me; status = ASSIGNED
    :: row[id] == HANDLED -> status = MSGHANDLED
    :: row[id] == COMPLETED -> status = IGNORE
    fi
  }
  if :: crash() :: outage() :: skip fi;
  if
  :: status == ASSIGNED ->
     if
     :: failures < MAXFAIL ->
        /* the tick handler throws: rollback, retry copy enqueued, then the original acknowledged */
        failures++;
        atomic { lockHolder[id] = 0; copies[id]++ }
        if :: crash() :: skip fi;
        inflight--;
        goto next
     :: true ->
        if :: crash() :: outage() :: skip fi;
        /* onCommitUnitOfWork: M's send stored with the record marked 'handled', which takes the lease */
        atomic {
          effect++; row[id] = HANDLED; lockHolder[id] = 0; lease[id] = me; stored[id] = true;
          assert(effect <= 1)
        }
     fi
  :: else -> skip
  fi;
  if
  :: status == ASSIGNED || status == MSGHANDLED ->
     if :: crash() :: outage() :: skip fi;
     /* onSendDeferred: hold the lease (wait while another process holds it; or it lapses), read M's row */
     atomic {
       if
       :: lease[id] == 0 || lease[id] == me -> lease[id] = me
       :: lease[id] != 0 && lease[id] != me && lapses < MAXLAPSE -> lapses++; lease[id] = me
       fi;
       mine = stored[id]
     }
     if
     :: mine ->
        msent++;                                        /* DISPATCH M */
        if :: crash() :: outage() :: skip fi;
        stored[id] = false                              /* SETTLE */
     :: else -> skip
     fi;
     if :: crash() :: outage() :: skip fi;
     atomic { row[id] = COMPLETED; if :: lease[id] == me -> lease[id] = 0 :: else -> skip fi }   /* onProcessingCompleted */
  :: else -> skip
  fi;
  if :: crash() :: outage() :: skip fi;
  inflight--;                                           /* onAcknowledgeMessage */
  goto next;

finished:
  done++
}

init {
  byte i;
  owe[1] = true; owe[2] = true;                         /* the tick comes: both processes run */
  atomic { run Process(1); run Process(2) }
  done == 2;
  assert(effect <= 1);
  i = 0;
  do
  :: i < NID ->
     assert(!stored[i] && lockHolder[i] == 0 && lease[i] == 0);
     assert(row[i] == COMPLETED || fired[i] == 0);      /* a tick fired is a record completed */
     i++
  :: else -> break
  od;
  if
  :: fired[0] + fired[NID - 1] > 0 ->
     assert(effect == 1 && msent >= 1);
     /* re-sends of M belong to crash and failure recovery alone */
     assert(crashes + outages + lapses > 0 || msent == 1)
  :: else ->
     /* every process came back past `backfill` before firing: the tick is skipped, nothing sent */
     assert(effect == 0 && msent == 0)
  fi
}
