/* oncebus's transactional session (src/sessions) as implemented, checked over every interleaving of the
   session's process and two sweeping processes of the same endpoint, with crashes between any two steps,
   outages (a failed dispatch or sweep), the work rolling back, and a lease that runs out while its holder
   still dispatches (LAPSE: bounded).
   - bus.withTransaction: in one transaction the user's write (effect), one stored row per recipient of F
     (a publish to NR subscribers) and the session's row marked 'handled' with the flush lease taken by the
     session; commit makes them visible together, a rollback or a crash before it leaves nothing;
   - after the commit the session dispatches what it stored, settling each recipient's row alone, then
     completes the row (lease ended); an outage gives the lease up (releaseFlush) and the call still
     succeeds: the messages are owed to the sweeper;
   - a sweeper (SessionSweeper, in every process, at start and on a timer) lists sessions 'handled' whose
     lease has ended (run out after a crash, or given up), then takes the lease (takeFlush: free, run out
     or its own) - waiting while another holder keeps it - reads the rows still stored, dispatches and
     settles them, and completes the row; a crashed sweeper's process restarts and sweeps again; after an
     outage a sweeper keeps the lease until it runs out (a session that keeps failing waits its turn).
   Properties: at the end either the work committed, every recipient got F at least once, nothing is
   stored and the row is completed - or the work rolled back and nothing was sent. In a run without
   crashes, outages or lapsed leases, each recipient got F exactly once. */

#define NONE 0
#define HANDLED 1
#define COMPLETED 2

#define NR 3                /* recipients of F */
#define ALL 7

byte row = NONE;
byte lease = 0;             /* who holds the flush lease: 1 = the session, 2 and 3 = sweepers, 0 = nobody */
byte effect = 0;
byte stored = 0;            /* committed rows of F not yet settled, a bit per recipient */
byte fsent[NR];
byte crashes = 0;
byte outages = 0;
byte lapses = 0;
bool sessionDone = false;
byte sweepersDone = 0;
#ifndef MAXCRASH
#define MAXCRASH 2
#endif
#ifndef MAXOUTAGE
#define MAXOUTAGE 1
#endif
#define MAXLAPSE 1

/* a crash of process `me`: what it held in memory is gone; a lease it held runs out (the same as ending now) */
inline crashed() {
  atomic { crashes < MAXCRASH -> crashes++; if :: lease == me -> lease = 0 :: else -> skip fi }
}

/* the flush of what is still stored, by the lease holder `me` (the session, or a sweeper) */
inline flush() {
  mine = stored;
  r = 0;
  do
  :: r < NR ->
     if
     :: (mine & (1 << r)) != 0 ->
        fsent[r]++;
        if :: crashed(); goto died :: skip fi;
        stored = stored & (ALL - (1 << r))               /* SETTLE ONE */
     :: else -> skip
     fi;
     /* an outage: the session gives its lease up (releaseFlush); a sweeper keeps it until it runs out */
     if :: crashed(); goto died :: atomic { outages < MAXOUTAGE -> outages++; if :: lease == me && me == 1 -> lease = 0 :: else -> skip fi }; goto gaveup :: skip fi;
     r++
  :: else -> break
  od;
  atomic { row = COMPLETED; if :: lease == me -> lease = 0 :: else -> skip fi }   /* processingCompleted */
}

proctype Session() {
  byte me = 1;
  byte mine;
  byte r;
  /* the work: the user's write and the sends, in the transaction; it may throw (rollback) */
  if
  :: true -> goto died                                     /* rolled back, or crashed before commit */
  :: true ->
     atomic { effect++; row = HANDLED; lease = me; stored = ALL }   /* COMMIT */
  fi;
  if :: crashed(); goto died :: skip fi;
  flush();
gaveup:
died:
  sessionDone = true
}

proctype Sweeper(byte me) {
  byte mine;
  byte r;
restart:
  do
  :: row == HANDLED && (lease == 0 || lapses < MAXLAPSE) ->  /* ORPHANED: owed, its lease ended (or runs out: a lapse) */
     if :: crashed(); goto restart :: skip fi;
     /* takeFlush: free, run out, or (lapse) taken over from a holder that stalls */
     atomic {
       if
       :: row != HANDLED -> goto restart                   /* completed meanwhile: nothing to send */
       :: row == HANDLED && (lease == 0 || lease == me) -> lease = me          /* SWEEPER LEASE */
       :: row == HANDLED && lease != 0 && lease != me && lapses < MAXLAPSE -> lapses++; lease = me
       fi
     }
     flush();
     goto restart
  :: atomic { lease == me && row == HANDLED -> lease = 0 }  /* RUNS OUT: the lease this sweeper kept after an outage */
  :: atomic { sessionDone && row != HANDLED -> break }
  od;
  sweepersDone++;
  goto finished;
died:
gaveup:
  goto restart;
finished:
  skip
}

init {
  atomic { run Session(); run Sweeper(2); run Sweeper(3) }
  sweepersDone == 2;
  assert(stored == 0);
  if
  :: effect == 1 ->
     assert(row == COMPLETED);
     assert(fsent[0] >= 1 && fsent[1] >= 1 && fsent[2] >= 1);
     /* re-sends belong to crash, outage and lapse recovery alone */
     assert(crashes + outages + lapses > 0 || (fsent[0] == 1 && fsent[1] == 1 && fsent[2] == 1))
  :: else ->
     assert(row == NONE && fsent[0] == 0 && fsent[1] == 0 && fsent[2] == 0)
  fi
}
