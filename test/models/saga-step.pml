/* oncebus's saga step as designed (src/sagas, issue 27: load -> handle -> save in the message's unit of
   work, an optimistic version, a unique correlation, timeout tokens), checked over every interleaving of
   two consumer processes of one endpoint taking one saga's messages from an at-least-once queue, with
   crashes (the open transaction rolls back, the copy in hand goes back to the queue and is delivered
   again). Each message is one unit of work, as in oncebus.pml: claim its idempotence record ('handled' ->
   flush what is stored; 'completed' -> ack), load the instance, run the handler, save, commit, flush the
   stored sends, complete the record, acknowledge. The saga (an order: started by S1 or S2, completed by
   E1 and E2 together, or by its timeout):
   - S1, S2: two starting messages with one correlation value (racing starters). Not found: insert a new
     instance; the unique (sagaType, correlationId) makes an insert wait for another's uncommitted insert
     and refuse a committed row (false -> SagaConcurrencyError: rollback, the copy retried - the loser
     retries into the winner). Found: the handler runs on it. Either way it requests the timeout (T1 for
     S1, T2 for S2): the instance's token becomes the request's, and T is a send stored in the unit of work
     (deferUntil), dispatched by the flush after the commit - a crash after the commit leaves the record
     'handled' and the redelivered copy flushes T;
   - E1, E2: two advancing events for the instance, delivered concurrently; the second one applied
     completes it (complete(): the row kept with completedAt, answering nothing). Not found (no instance
     yet): whenNotFound 'retry', a rollback and the copy back on the queue, at most MAXNF times; after
     that an event waits until an instance exists (the abstraction of "retried later");
   - T1, T2: the timeout, loaded by the instance id it carries (findById); dropped (record completed, ack)
     when the instance is missing or completed or its token is not T's (S2 replaced S1's request); else
     its handler completes the saga and removes the token in the same save.
   - any message whose instance is completed is dropped: its unit of work commits the record alone (the
     design leaves a starting message here unsaid: treated as "not found", its insert meets the kept row
     and it retries forever - the variant -DSAGA_LATE_START_INSERTS below).
   A save is conditional and inside the unit of work: insert or update(expectedVersion) takes the row's
   write lock (another writer waits for the holder's commit or rollback, then compares the version: a
   different one -> SagaConcurrencyError, rollback, the copy retried); the commit makes the row, the
   idempotence record and T's stored send durable together.
   Steps and crash points: (take the copy, claim, load, handle) is one step - a crash before the claim has
   nothing to undo and the handler's work is local until the save, so one crash point after it stands for
   "before load", "after load" and "after handle"; save; crash ("before commit"); commit; for a start,
   crash ("after commit, before the flush"), dispatch T, crash, settle T and complete the record; crash
   ("after commit, before ack"); ack. At most MAXCRASH crashes in all.
   Abstractions (each keeps every behaviour of the design, or more): optimistic versions alone
   (PostgreSQL's FOR UPDATE makes writers wait earlier: a subset; two members of one group-commit batch
   meet exactly like this); a copy whose messageId another open transaction has claimed waits on the queue
   rather than in hand; the flush lease is left out (two copies of a start that both find 'handled' could
   both dispatch T; T's own claim dedupes it); T's deferral is any delay (T is taken whenever it is queued).
   The instance's data is a fold: a message applied sets its bit (DBL if it was set already: a double
   apply); each save advances the version by one.
   Properties, asserted at every write: at most one instance per correlation; no double apply; no lost
   update (a write keeps every message applied to the row before it); each message's unit of work commits
   once; the timeout's effect at most once, never on a completed instance, and only from the request in
   force (the last start's, a ghost apart from the token). At the end (every copy
   consumed, none in flight; a process waiting forever is an invalid end state): one instance, completed,
   whose data is exactly the messages whose unit of work applied them, its version their count; every
   message handled (record completed), nothing stored, no lock held; each timeout a committed start
   requested was dispatched and handled. Every run ends (compiled with -DNP, pan -l finds no cycle: the
   bounds on crashes and not-found retries, and a SagaConcurrencyError only after another unit of work
   committed), so in every run, fair or not, everything is eventually handled.
   Defaults: MAXCRASH 2, MAXNF 0; check.sh also runs MAXCRASH 1 with MAXNF 1, and the cycle check without
   crashes (a crash is never part of a cycle: each one counts); by hand, the cycle check with MAXCRASH 1 and
   MAXNF 1 (5.4 million states) and with the defaults (7.8 million) finds none either.
   Broken variants (each must fail):
   -DSAGA_NO_VERSION: update ignores the version -> two events loaded at one version, the second save
     overwrites the first's (lost update);
   -DSAGA_NO_UNIQUE: no unique (sagaType, correlationId) -> racing starters insert two instances;
   -DSAGA_TIMEOUT_AFTER_COMPLETE: the timeout handler runs on a found instance without checking that it is
     live and its token current -> the timeout's effect after completion;
   -DSAGA_SAVE_OUTSIDE_UOW: the row is saved in a transaction of its own before the unit of work commits ->
     a crash between leaves the change without the idempotence record; the redelivered copy applies again;
   -DSAGA_LATE_START_INSERTS (a liveness failure: the cycle check catches it, the safety run cannot): a
     starting message that finds the instance completed tries to insert a new one -> the unique key refuses
     it, SagaConcurrencyError, retried, forever. */

#define NONE 0
#define HANDLED 1
#define COMPLETED 2

#define ASSIGNED 1
#define MSGHANDLED 2
#define IGNORE 3

/* messages (one messageId each); T1 / T2 exist once S1 / S2's unit of work stored their request */
#define S1 0
#define S2 1
#define E1 2
#define E2 3
#define T1 4
#define T2 5
#define NMSG 6
#define ISSTART(x) ((x) <= S2)
#define ISEVENT(x) ((x) == E1 || (x) == E2)
#define ISTIMEOUT(x) ((x) >= T1)
#define BIT(x) (1 << (x))
#define EVENTS (BIT(E1) | BIT(E2))
#define DBL 64                  /* a data bit: some message was applied to the instance twice */

/* decisions of the handler step */
#define INSERT 1
#define UPDATE 2
#define DROP 3
#define NOTFOUND 4

#ifdef SAGA_NO_UNIQUE
#define NSLOT 2                 /* rows: without the unique key two may hold one correlation */
#define ROWS (rex[0] + rex[1])
#else
#define NSLOT 1
#define ROWS (rex[0])
#endif

#ifndef MAXCRASH
#define MAXCRASH 2
#endif
#ifndef MAXNF
#define MAXNF 0                 /* not-found retries of an event before any instance exists */
#endif

byte copies[NMSG];          /* copies ready on the queue, by messageId */
byte inflight = 0;          /* copies taken, not yet acknowledged */
byte rec[NMSG];             /* idempotence record, by messageId */
byte claimer[NMSG];         /* the process whose open transaction holds the claim, 0 = nobody */
/* the saga table: one row per slot */
bool rex[NSLOT];            /* the row exists (committed) */
byte rver[NSLOT];
byte rdata[NSLOT];          /* the fold: a bit per message applied, DBL */
byte rtok[NSLOT];           /* the current timeout token: 1 = S1's request (T1), 2 = S2's (T2), 0 = none */
bool rdone[NSLOT];          /* completed (kept with completedAt) */
byte rlock[NSLOT];          /* the process whose open transaction wrote the row (insert or update), 0 = nobody */
bool stored[2];             /* T1 / T2's committed stored send, not yet settled */
byte tslot[2];              /* the instance T1 / T2 carries (oncebus-saga-id) */
/* ghosts */
byte outcome[NMSG];         /* the committed outcome of each message: 0, UPDATE (applied) or DROP */
byte applied[NSLOT];        /* the messages whose applying write reached the row */
bool tsent[2];              /* T1 / T2 dispatched (at least once) */
byte lastreq = 0;           /* the start whose timeout request committed last: 1 = S1, 2 = S2 */
byte teffect = 0;           /* timeout handlers whose effect committed */
byte crashes = 0;
byte notfound = 0;
byte done = 0;

#define QUEUED (copies[0] + copies[1] + copies[2] + copies[3] + copies[4] + copies[5])

/* the process's unit of work ends: locals back to their start (fewer states) */
inline reset() {
  m = 0; s = 0; status = 0; dec = 0; ver = 0; data = 0; tok = 0; ndata = 0; ntok = 0; ndone = false; mine = false
}

/* the transaction rolls back: the claim and the row's write lock go; the copy goes back to the queue */
inline rollback() {
  if :: claimer[m] == me -> claimer[m] = 0 :: else -> skip fi;
  if :: rlock[s] == me -> rlock[s] = 0 :: else -> skip fi;
  inflight--; copies[m]++;
  reset()
}

/* a crash: rollback, the process restarts and takes copies again */
inline crash() {
  atomic { crashes < MAXCRASH -> crashes++; rollback(); goto next }
}

/* the saga row written: at the commit (or, broken, at the save) */
inline writeRow() {
  assert(!(ndata & DBL));                              /* no double apply */
  assert((ndata & applied[s]) == applied[s]);           /* no lost update */
  if
  :: ISTIMEOUT(m) ->                                   /* the timeout: once, on a live instance, the request in force */
     assert(!rdone[s] && lastreq == m - T1 + 1); teffect++; assert(teffect <= 1)
  :: else -> skip
  fi;
  rex[s] = true; rdata[s] = ndata; rtok[s] = ntok; rdone[s] = ndone;
  if :: dec == INSERT -> rver[s] = 1 :: else -> rver[s] = ver + 1 fi;
  applied[s] = applied[s] | BIT(m);
  assert(ROWS <= 1)                                     /* one instance per correlation */
}

/* onCheckIdempotence: claim the message's record (taken with the copy: a copy of a messageId whose claim
   another open transaction holds waits for it, on the queue or in hand alike); if Assigned, LOAD
   (findByCorrelation / findById: committed rows) and HANDLE (local until the save) */
inline claimAndLoad() {
  if
  :: rec[m] == NONE -> claimer[m] = me; status = ASSIGNED
  :: rec[m] == HANDLED -> status = MSGHANDLED
  :: rec[m] == COMPLETED -> status = IGNORE
  fi;
  if
  :: status == ASSIGNED ->
    if
    :: ISTIMEOUT(m) -> s = tslot[m - T1]
#ifdef SAGA_NO_UNIQUE
    :: !ISTIMEOUT(m) && rex[0] -> s = 0                 /* either row answers the correlation */
    :: !ISTIMEOUT(m) && rex[1] -> s = 1
    :: !ISTIMEOUT(m) && !rex[0] && !rex[1] -> s = 0
#else
    :: else -> s = 0
#endif
    fi;
    ver = rver[s]; data = rdata[s]; tok = rtok[s];
    if
#ifdef SAGA_LATE_START_INSERTS
    :: ISSTART(m) && (!rex[s] || rdone[s]) -> dec = INSERT; ndata = BIT(m); ntok = m + 1
    :: ISEVENT(m) && rex[s] && rdone[s] -> dec = DROP
#else
    :: ISSTART(m) && !rex[s] -> dec = INSERT; ndata = BIT(m); ntok = m + 1
    :: !ISTIMEOUT(m) && rex[s] && rdone[s] -> dec = DROP
#endif
    :: ISSTART(m) && rex[s] && !rdone[s] -> dec = UPDATE; ntok = m + 1
    :: ISEVENT(m) && !rex[s] -> dec = NOTFOUND
    :: ISEVENT(m) && rex[s] && !rdone[s] -> dec = UPDATE; ntok = tok
#ifdef SAGA_TIMEOUT_AFTER_COMPLETE
    :: ISTIMEOUT(m) && rex[s] -> dec = UPDATE; ntok = 0; ndone = true
    :: ISTIMEOUT(m) && !rex[s] -> dec = DROP
#else
    :: ISTIMEOUT(m) && rex[s] && !rdone[s] && tok == m - T1 + 1 -> dec = UPDATE; ntok = 0; ndone = true
    :: ISTIMEOUT(m) && !(rex[s] && !rdone[s] && tok == m - T1 + 1) -> dec = DROP
#endif
    fi;
    if
    :: dec == UPDATE ->
       ndata = data | BIT(m);
       if :: (data & BIT(m)) != 0 -> ndata = ndata | DBL :: else -> skip fi;
       if :: ISEVENT(m) && (ndata & EVENTS) == EVENTS -> ndone = true :: else -> skip fi
    :: else -> skip
    fi
  :: else -> skip
  fi
}

proctype Consumer(byte me) {
  byte m, s, status, dec, ver, data, tok, ndata, ntok;
  bool ndone, mine;
next:
  do
  :: atomic { copies[S1] > 0 && claimer[S1] == 0 -> copies[S1]--; inflight++; m = S1; claimAndLoad() }; goto claimed
  :: atomic { copies[S2] > 0 && claimer[S2] == 0 -> copies[S2]--; inflight++; m = S2; claimAndLoad() }; goto claimed
  :: atomic { copies[E1] > 0 && claimer[E1] == 0 && (ROWS > 0 || notfound < MAXNF) -> copies[E1]--; inflight++; m = E1; claimAndLoad() }; goto claimed
  :: atomic { copies[E2] > 0 && claimer[E2] == 0 && (ROWS > 0 || notfound < MAXNF) -> copies[E2]--; inflight++; m = E2; claimAndLoad() }; goto claimed
  :: atomic { copies[T1] > 0 && claimer[T1] == 0 -> copies[T1]--; inflight++; m = T1; claimAndLoad() }; goto claimed
  :: atomic { copies[T2] > 0 && claimer[T2] == 0 -> copies[T2]--; inflight++; m = T2; claimAndLoad() }; goto claimed
  :: atomic { QUEUED == 0 && inflight == 0 -> break }
  od;
  goto finished;

claimed:
  if :: status != ASSIGNED -> goto flush :: else -> skip fi;
  if :: crash() :: skip fi;                             /* before or after the load and the handler */
  if
  :: dec == NOTFOUND ->
     /* whenNotFound 'retry': rollback, the copy released */
     atomic { notfound++; rollback(); goto next }
  :: dec == INSERT ->
     /* insert: the unique key makes it wait for another's uncommitted insert, then refuse a row */
     atomic {
#ifdef SAGA_NO_UNIQUE
       /* only the instance id is unique: any free slot takes the new row */
       if :: rlock[0] == 0 && !rex[0] -> s = 0 :: else -> s = 1 fi;
       assert(rlock[s] == 0 && !rex[s]);
       rlock[s] = me
#else
       rlock[s] == 0 ->
       if
       :: rex[s] -> rollback(); goto next                /* SagaConcurrencyError: the loser retries */
       :: else -> rlock[s] = me
       fi
#endif
     }
  :: dec == UPDATE ->
     /* update(expectedVersion): waits for the row's writer, then compares the version */
     atomic {
       rlock[s] == 0 ->
       if
#ifndef SAGA_NO_VERSION
       :: rver[s] != ver -> rollback(); goto next        /* SagaConcurrencyError: retried */
#endif
       :: else -> rlock[s] = me
       fi
     }
  :: dec == DROP -> skip
  fi;
#ifdef SAGA_SAVE_OUTSIDE_UOW
  /* broken: the save commits in a transaction of its own, before the unit of work */
  atomic { if :: dec == INSERT || dec == UPDATE -> writeRow(); rlock[s] = 0 :: else -> skip fi }
#endif
  if :: crash() :: skip fi;                             /* before commit */
  /* onCommitUnitOfWork: the row, the record and the stored send of the timeout request together */
  atomic {
    assert(outcome[m] == NONE);                         /* each message's unit of work commits once */
#ifndef SAGA_SAVE_OUTSIDE_UOW
    if :: dec == INSERT || dec == UPDATE -> writeRow(); rlock[s] = 0 :: else -> skip fi;
#endif
    claimer[m] = 0;
    if
    :: ISSTART(m) && dec != DROP ->
       rec[m] = HANDLED; stored[m] = true; tslot[m] = s; lastreq = m + 1
    :: else -> rec[m] = COMPLETED
    fi;
    if :: dec == DROP -> outcome[m] = DROP :: else -> outcome[m] = UPDATE fi
  }

flush:
  /* onSendDeferred (the flush lease left out), onProcessingCompleted */
  if
  :: ISSTART(m) && (status == MSGHANDLED || (status == ASSIGNED && dec != DROP)) ->
     if :: crash() :: skip fi;                          /* after commit, before the flush */
     atomic { mine = stored[m]; if :: mine -> copies[T1 + m]++; tsent[m] = true :: else -> skip fi }   /* DISPATCH T (deferred) */
     if :: mine -> if :: crash() :: skip fi :: else -> skip fi;
     atomic { stored[m] = false; rec[m] = COMPLETED }   /* SETTLE, onProcessingCompleted */
  :: else -> skip
  fi;
  if :: crash() :: skip fi;                             /* after commit, before the ack */
  atomic { inflight--; reset() }                        /* onAcknowledgeMessage */
  goto next;

finished:
  done++
}

init {
  byte i;
  atomic {
    copies[S1] = 1; copies[S2] = 1; copies[E1] = 1; copies[E2] = 1;
    run Consumer(1); run Consumer(2)
  }
  done == 2;
  assert(ROWS == 1 && rex[0] && rdone[0] && !(rdata[0] & DBL) && rlock[0] == 0);
  assert(teffect <= 1 && (teffect == 1) == ((rdata[0] & (BIT(T1) | BIT(T2))) != 0));
  i = 0;
  do
  :: i < NMSG ->
     /* the fold: exactly the messages applied, each once */
     assert(((rdata[0] & BIT(i)) != 0) == (outcome[i] == UPDATE));
     assert(claimer[i] == 0);
     if
     :: !ISTIMEOUT(i) -> assert(rec[i] == COMPLETED && outcome[i] != NONE)
     :: else ->
        /* a timeout requested is never lost: dispatched and handled */
        assert(!stored[i - T1]);
        assert(outcome[i - T1] != UPDATE || (tsent[i - T1] && rec[i] == COMPLETED && outcome[i] != NONE))
     fi;
     i++
  :: else -> break
  od;
  assert(rver[0] == (outcome[0] == UPDATE) + (outcome[1] == UPDATE) + (outcome[2] == UPDATE)
         + (outcome[3] == UPDATE) + (outcome[4] == UPDATE) + (outcome[5] == UPDATE))
}
