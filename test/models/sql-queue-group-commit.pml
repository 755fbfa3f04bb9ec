/* oncebus's group-commit idempotence on a batch-taking PostgreSQL queue (postgres://…?batch=N) as
   implemented: two transactions per message, the queue's and the idempotence store's, checked over every
   interleaving of two consumer processes, crashes between any two steps and database outages. It joins
   batch-queue.pml (the take) and group-commit.pml (the lane), and adds the follow-up's way out: a queue
   table written after the commit. Each process runs the endpoint reading queue table Q (its inbox) and the
   endpoint reading queue table R (the follow-ups' inbox), each endpoint with one commit lane. Modelled:
   - take (src/stores/sql/batch-taking-queue.ts lockedRows.take, BatchedDeliveries.take): BEGIN, then one
     SELECT .. FOR UPDATE SKIP LOCKED LIMIT 2 that locks up to two free rows of the table (rows another
     open take holds are skipped); the take's transaction T stays open while its rows are handled;
   - hand out (BatchedDeliveries.handOut) and processingStatus (check-idempotence-observer.ts): the copy
     joins the queue of its endpoint's lane (GroupCommitIdempotenceService.route);
   - form, claim, turns (commit-lane.ts form / run / turn): an idle lane takes up to two waiting copies (a
     copy whose messageId is already in the batch is parked until the batch ends: ClaimsInFlight), claims
     them in key order (claimMany, ORDER BY m.id; a key another open lane transaction holds makes the claim
     wait), a member whose row is committed leaves at once ('handled' -> MessageHandled: flush what is
     stored; 'completed' -> Ignore: ack); each claimed member's handler then runs in its savepoint on the
     lane's transaction B - NOT the take's T. A handler of Q's message k < NSEND sends one follow-up F(k) to
     R (kept in memory: GroupMember.deferred); Q's other messages and the follow-ups send nothing (by
     default NSEND = 1: message 0 sends F(0), messages 1 and 2 commit 'completed' at once);
   - commit (CommitLane.finish + commit): the batch's effects, claims, stored sends and 'handled' marks (for
     members with sends; the others commit 'completed') become durable in one COMMIT of B;
   - after the commit, per copy (send-deferred-observer.ts, the flush pipeline, processing-completed and
     acknowledge observers): dispatch F (DispatchDeferredMessageObserver, no outbox: an enqueue into R's
     table outside any unit of work, sql-queue-base.ts enqueue -> EnqueueBatcher: its own committed write),
     delete the stored send (deferredMessageSent) and mark the row 'completed' (processingCompleted; both
     by the CompletionBatcher, after the dispatch), then acknowledge: recorded in the take's batch only
     (BatchedDeliveries.acknowledge), in memory - nobody else can see it, so it is made with the step
     before it;
   - take end (BatchedDeliveries.end -> TakenBatch.end): when every row of the take is acknowledged, the
     acknowledged rows are deleted and T commits (the rows are gone for good);
   - a crash of a process: its takes roll back (their rows, acknowledged or not, are free again), its lane
     transactions roll back (uncommitted batches lost), every copy it held is gone;
   - outages (MAXOUTAGE): a lane transaction failing before its commit (rolled back; its members released:
     back to the take's waiting rows, BatchedDeliveries.release); a COMMIT whose reply is lost (durable,
     but the members are released); a member's turn failing (its savepoint and claim undone, released); a
     post-commit step failing (the enqueue of F, a completion: released, handed out again from the take);
     the take's connection lost (T rolled back: its rows are free in the table while the process still
     handles them - another process may take them - and its end deletes nothing).
   Abstractions (each keeps every behaviour of the implementation, or more): a step is atomic where the
   implementation makes one round trip; a row's copy is a stage per (process, row); turns run in any order;
   MessageHandled / Ignore is decided by the claim step (as in group-commit.pml); the EnqueueBatcher's
   coalescing (several F in one write) is a subset of writing them one by one; no flush lease (a second
   copy that finds 'handled' may flush too: F keeps its messageId, so R's endpoint drops the duplicate row);
   the first fault forgets the calm run's record (the calm properties are checked only before it).
   Restrictions: one open take per process and table (the implementation allows MAX_OPEN_BATCHES = 3) and
   one lane per endpoint; a take takes the free rows in row order (Q: id order; R: per message); a lane
   takes its waiting copies in row order; no handler failures (group-commit.pml checks the savepoint undo
   and the retry copy), no requeue after a second infrastructure failure in a row (a new row with the same
   messageId: what a re-sent F is), no retention purge; deferredMessageSent and processingCompleted are one
   step (two statements in the implementation: between them the row is 'handled' with nothing stored,
   from which a redelivered copy only completes it - group-commit.pml has the two steps; one step here
   halves the states); bounds: NM = 3 messages in Q, MAXCRASH crashes and MAXOUTAGE outages, MAXFAULT in
   all (a follow-up is written at most MAXFAULT + 1 times: NFC row slots). Defaults: NSEND = 1, 2 crashes,
   1 outage, 2 faults in all (about 7 million states); -DNSEND=2 -DMAXFAULT=1 (two follow-ups, one fault)
   is about 10 million states, 0 errors, and not run by check.sh.
   Properties: each effect commits at most once, checked at every commit, and a follow-up's effect commits
   only after its cause's (a follow-up sent for work that never committed fails here); at the end (every
   copy settled, every lane idle, no row left in either table): every message's and every follow-up's
   effect committed exactly once, nothing still stored, every idempotence row 'completed'; in a calm run
   (no crash, no outage) no row is handed out twice, no handler runs twice for a messageId and no follow-up
   is written twice. An invalid end state (a wait that never ends) is an error too. Search: exhaustive,
   -DSAFETY. */

#define NM 3          /* messages in Q: rows 0..NM-1 */
#ifndef NSEND
#define NSEND 1       /* messages 0..NSEND-1 send a follow-up F(k) to R (1 or 2) */
#endif
#ifndef MAXFAULT
#define MAXFAULT 2    /* crashes and outages together */
#endif
#ifndef MAXCRASH
#define MAXCRASH 2
#endif
#ifndef MAXOUTAGE
#define MAXOUTAGE 1
#endif
#define NFC 3         /* row slots per follow-up in R: MAXFAULT + 1 */
#define NR (NM + NSEND * NFC)   /* rows: Q's NM, then R's NSEND * NFC (F(k) in NM + k * NFC ..) */
#define TAKE 2        /* ?batch=2 */
#define GBATCH 2      /* the lanes' maxBatchSize */
#define CANCRASH (crashes < MAXCRASH && crashes + outages < MAXFAULT)
#define CANOUTAGE (outages < MAXOUTAGE && crashes + outages < MAXFAULT)
#define CALM (crashes == 0 && outages == 0)
/* the first fault forgets the calm run's record (it is checked only in calm runs) */
#define FORGET k = 0; do :: k < NR -> dlv[k] = 0; k++ :: else -> break od; \
               k = 0; do :: k < 2 * NM -> hran[k] = 0; k++ :: else -> break od

/* a queue row in its table */
#define ABSENT 0      /* not written (a follow-up slot) */
#define PRESENT 1
#define GONE 2        /* deleted by a committed take */

/* committed idempotence row */
#define NONE 0
#define HANDLED 1
#define COMPLETED 2

/* a process's copy of a row (in its take's batch until the take ends) */
#define NOCOPY 0
#define WAITR 1       /* taken (or released): waits to be handed out */
#define JOIN 2        /* handed out, processingStatus: waits in its lane's queue */
#define PARK 3        /* its messageId is in the lane's open batch: waits for that batch's end */
#define INB 4         /* in the lane's batch, not claimed yet */
#define ASG 5         /* claimed (Assigned), waiting for its turn */
#define SUCC 6        /* handler done, its work waits in the lane's transaction */
#define FLUSHMEM 7    /* committed 'handled' with F stored: dispatch F (from memory) */
#define FLUSHDB 8     /* MessageHandled: dispatch what is stored */
#define SENT 9        /* F enqueued: delete the stored send, mark the row completed */
#define DEL 10        /* nothing (left) to send: mark the row completed */
/* acknowledge: recorded in the take's batch, in memory (BatchedDeliveries.acknowledge); nobody else can
   see it, so it is made with the step before it */
#define ACKNOWLEDGE(c) ackd[c] = 1; cst[c] = NOCOPY

/* a lane */
#define IDLE 0
#define CLAIM0 1      /* claiming key 0, 1, 2 (ORDER BY m.id) */
#define TURNS 4

byte rdb[NR];             /* the row in its table */
byte lk[NR];              /* processes whose open take T holds the row's lock (bit p-1) */
byte cst[2 * NR];         /* copy of row r in process p: cst[(p-1) * NR + r] */
bool ackd[2 * NR];        /* acknowledged, recorded in the take's batch */
bool tdead[5];            /* the take of lane L's endpoint lost its transaction */
byte ph[5];               /* lane L = (p-1) * 2 + table + 1: phase */
byte held[5];             /* keys of the lane's open batch (bit per key) */
byte lock[2 * NM];        /* lane whose open transaction holds the key's uncommitted claim (key: table * NM + k) */
byte irow[2 * NM];        /* committed idempotence row */
byte eff[2 * NM];         /* committed effects */
bool stored[NM];          /* committed, not yet deleted, stored send F(k) */
bool dlv[NR];             /* calm run: row handed out */
bool hran[2 * NM];        /* calm run: handler ran for the key */
byte crashes = 0;
byte outages = 0;
hidden byte k;            /* scratch for loops inside d_steps */
hidden byte j;
hidden byte m;
hidden byte n;             /* a lane, for endBatch */

#define RQ(r) ((r) >= NM -> 1 : 0)
#define RK(r) ((r) < NM -> (r) : ((r) - NM) / NFC)
#define KI(r) (RQ(r) * NM + RK(r))
#define KB(r) (1 << RK(r))
#define QLO(q) ((q) == 0 -> 0 : NM)
#define QHI(q) ((q) == 0 -> NM : NR)
#define C(r) ((me - 1) * NR + (r))
#define PB (1 << (me - 1))
#define LN(q) ((me - 1) * 2 + (q) + 1)

#define ANYQ0(X) (X(0) || X(1) || X(2))
#define ALLQ0(X) (X(0) && X(1) && X(2))
#if NSEND == 1
#define ANYQ1(X) (X(3) || X(4) || X(5))
#define ALLQ1(X) (X(3) && X(4) && X(5))
#else
#define ANYQ1(X) (X(3) || X(4) || X(5) || X(6) || X(7) || X(8))
#define ALLQ1(X) (X(3) && X(4) && X(5) && X(6) && X(7) && X(8))
#endif
#define ANYQ(q, X) ((q) == 0 -> ANYQ0(X) : ANYQ1(X))
#define ALLQ(q, X) ((q) == 0 -> ALLQ0(X) : ALLQ1(X))

#define FREEP(r) (rdb[r] == PRESENT && lk[r] == 0)
#define MEMB(r) (cst[C(r)] != NOCOPY || ackd[C(r)])
#define SETTLED(r) (!MEMB(r) || ackd[C(r)])
#define JOINP(r) (cst[C(r)] == JOIN)
#define ASGP(r) (cst[C(r)] == ASG)
#define SUCCP(r) (cst[C(r)] == SUCC)
#define RD(r) (rdb[r] != PRESENT && cst[r] == NOCOPY && cst[NR + r] == NOCOPY && !ackd[r] && !ackd[NR + r])
#define ALLDONE (ALLQ0(RD) && ALLQ1(RD) && \
                 ph[1] == IDLE && ph[2] == IDLE && ph[3] == IDLE && ph[4] == IDLE)

/* the lane's transaction has ended (committed or rolled back): its claims and keys are free */
inline endBatch(L) {
  k = 0;
  do
  :: k < 2 * NM -> if :: lock[k] == L -> lock[k] = 0 :: else -> skip fi; k++
  :: else -> break
  od;
  held[L] = 0; ph[L] = IDLE
}

/* TAKE: BEGIN; SELECT .. ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED (T stays open) */
inline take(q) {
  d_step {
    !ANYQ(q, MEMB) && ANYQ(q, FREEP) ->
      tdead[LN(q)] = 0;
      k = QLO(q); j = 0;
      do
      :: k < QHI(q) && j < TAKE ->
         if :: FREEP(k) -> lk[k] = lk[k] | PB; cst[C(k)] = WAITR; j++ :: else -> skip fi; k++
      :: else -> break
      od
  }
}

/* the take's last row settled: DELETE the acknowledged rows, COMMIT T (a lost T deletes nothing) */
inline endTake(q) {
  d_step {
    ANYQ(q, MEMB) && ALLQ(q, SETTLED) ->
      k = QLO(q);
      do
      :: k < QHI(q) ->
         if
         :: ackd[C(k)] ->
            if :: !tdead[LN(q)] -> rdb[k] = GONE :: else -> skip fi;
            lk[k] = lk[k] & (3 - PB); ackd[C(k)] = 0
         :: else -> skip
         fi;
         k++
      :: else -> break
      od;
      tdead[LN(q)] = 0
  }
}

/* the take's connection is lost: T rolls back, its rows are free in the table; the process does not know */
inline loseTake(q) {
  d_step {
    ANYQ(q, MEMB) && !tdead[LN(q)] && CANOUTAGE ->
      outages++; FORGET; tdead[LN(q)] = 1;
      k = QLO(q);
      do
      :: k < QHI(q) -> if :: MEMB(k) -> lk[k] = lk[k] & (3 - PB) :: else -> skip fi; k++
      :: else -> break
      od
  }
}

/* the lane forms a batch of up to GBATCH waiting copies; a duplicate messageId is parked; claims start at the lowest key */
inline form(q) {
  d_step {
    ph[LN(q)] == IDLE && ANYQ(q, JOINP) ->
      k = QLO(q); j = 0; m = 255;
      do
      :: k < QHI(q) ->
         if
         :: JOINP(k) && j < GBATCH ->
            if
            :: (held[LN(q)] & KB(k)) != 0 -> cst[C(k)] = PARK
            :: else -> cst[C(k)] = INB; held[LN(q)] = held[LN(q)] | KB(k); j++;
                       if :: RK(k) < m -> m = RK(k) :: else -> skip fi
            fi
         :: else -> skip
         fi;
         k++
      :: else -> break
      od;
      ph[LN(q)] = CLAIM0 + m
  }
}

/* claimMany at key K: waits while another open transaction holds K's claim, then resolves K's member */
inline claim(q, K) {
  d_step {
    ph[LN(q)] == CLAIM0 + K && lock[q * NM + K] == 0 ->
      k = QLO(q); m = 255;
      do
      :: k < QHI(q) ->
         if
         :: cst[C(k)] == INB && RK(k) == K ->
            if
            :: irow[KI(k)] == NONE -> lock[KI(k)] = LN(q); cst[C(k)] = ASG
            :: irow[KI(k)] == HANDLED -> cst[C(k)] = FLUSHDB
            :: irow[KI(k)] == COMPLETED -> ACKNOWLEDGE(C(k))          /* Ignore */
            fi
         :: cst[C(k)] == INB && RK(k) > K && RK(k) < m -> m = RK(k)
         :: else -> skip
         fi;
         k++
      :: else -> break
      od;
      if
      :: m != 255 -> ph[LN(q)] = CLAIM0 + m
      :: else -> ph[LN(q)] = TURNS;
         if :: !ANYQ(q, ASGP) -> n = LN(q); endBatch(n) :: else -> skip fi   /* nothing claimed: roll back */
      fi
  }
}

/* store the sends, mark 'handled' the members that stored any, COMMIT B; `lost`: the reply never comes
   back, the lane cannot tell, its members are released */
inline commitBatch(q, lost) {
  k = QLO(q);
  do
  :: k < QHI(q) ->
     if
     :: SUCCP(k) ->
        eff[KI(k)]++;
        assert(eff[KI(k)] <= 1);                         /* at most once, at every commit */
        assert(q == 0 || eff[RK(k)] == 1);               /* a follow-up acts only on committed work */
        if
        :: q == 0 && RK(k) < NSEND -> irow[KI(k)] = HANDLED; stored[RK(k)] = 1; cst[C(k)] = FLUSHMEM
        :: else -> irow[KI(k)] = COMPLETED; cst[C(k)] = DEL    /* committed 'completed': ack */
        fi;
        if
        :: lost -> cst[C(k)] = WAITR
        :: !lost && cst[C(k)] == DEL -> ACKNOWLEDGE(C(k))
        :: else -> skip
        fi
     :: else -> skip
     fi;
     k++
  :: else -> break
  od
}

inline commit(q) {
  if
  :: d_step { ph[LN(q)] == TURNS && !ANYQ(q, ASGP) -> commitBatch(q, 0); n = LN(q); endBatch(n) }   /* none succeeded: rollback */
  :: d_step { ph[LN(q)] == TURNS && !ANYQ(q, ASGP) && ANYQ(q, SUCCP) && CANOUTAGE -> outages++; FORGET; commitBatch(q, 1); n = LN(q); endBatch(n) }
  :: d_step {
       /* an outage of B before its commit completes: rolled back, members released to the take */
       ph[LN(q)] != IDLE && CANOUTAGE ->
         outages++; FORGET;
         k = QLO(q);
         do
         :: k < QHI(q) -> if :: cst[C(k)] >= INB && cst[C(k)] <= SUCC -> cst[C(k)] = WAITR :: else -> skip fi; k++
         :: else -> break
         od;
         n = LN(q); endBatch(n)
     }
  fi
}

/* dispatch F(K): an INSERT into R's table, its own commit (EnqueueBatcher) */
inline dispatch(K) {
  j = NM + K * NFC;
  do
  :: j < NM + (K + 1) * NFC && rdb[j] != ABSENT -> j++
  :: else -> break
  od;
  assert(j < NM + (K + 1) * NFC);                        /* NFC slots suffice */
  assert(!CALM || j == NM + K * NFC);                    /* calm: F written once */
  rdb[j] = PRESENT
}

/* the pipeline steps of this process's copy of row r */
inline row(r) {
  if
  :: d_step { cst[C(r)] == WAITR ->                                          /* hand out, processingStatus */
       assert(!CALM || !dlv[r]); if :: CALM -> dlv[r] = 1 :: else -> skip fi; cst[C(r)] = JOIN }
  :: d_step { cst[C(r)] == PARK && (held[LN(RQ(r))] & KB(r)) == 0 -> cst[C(r)] = JOIN }   /* routed again */
  :: d_step { cst[C(r)] == ASG && ph[LN(RQ(r))] == TURNS ->                  /* turn: handler in its savepoint */
       assert(!CALM || !hran[KI(r)]); if :: CALM -> hran[KI(r)] = 1 :: else -> skip fi; cst[C(r)] = SUCC }
  :: d_step { cst[C(r)] == ASG && ph[LN(RQ(r))] == TURNS && CANOUTAGE ->     /* turn fails: undo, release */
       outages++; FORGET; lock[KI(r)] = 0; cst[C(r)] = WAITR }
  :: d_step { cst[C(r)] == FLUSHMEM -> m = RK(r); dispatch(m); cst[C(r)] = SENT }
  :: d_step { cst[C(r)] == FLUSHDB ->
       if :: stored[RK(r)] -> m = RK(r); dispatch(m); cst[C(r)] = SENT :: else -> cst[C(r)] = DEL fi }
  :: d_step { cst[C(r)] == SENT ->                              /* deferredMessageSent, processingCompleted, ack */
       stored[RK(r)] = 0; irow[KI(r)] = COMPLETED; ACKNOWLEDGE(C(r)) }
  :: d_step { cst[C(r)] == DEL -> irow[KI(r)] = COMPLETED; stored[RK(r)] = 0; ACKNOWLEDGE(C(r)) }  /* processingCompleted, ack */
  :: d_step { cst[C(r)] >= FLUSHMEM && cst[C(r)] <= DEL && CANOUTAGE ->                 /* enqueue / completion fails */
       outages++; FORGET; cst[C(r)] = WAITR }
  fi
}

proctype Consumer(byte me) {
  do
  :: take(0) :: take(1)
  :: form(0) :: form(1)
  :: claim(0, 0) :: claim(0, 1) :: claim(0, 2) :: claim(1, 0)
#if NSEND == 2
  :: claim(1, 1)
#endif
  :: commit(0) :: commit(1)
  :: endTake(0) :: endTake(1)
  :: loseTake(0) :: loseTake(1)
  :: row(0) :: row(1) :: row(2) :: row(3) :: row(4) :: row(5)
#if NSEND == 2
  :: row(6) :: row(7) :: row(8)
#endif
  :: ALLDONE -> break
  od
}

/* a crash of process p: its takes and lane transactions roll back, its copies are gone */
#define CB(p, r) (cst[((p) - 1) * NR + (r)] != NOCOPY || ackd[((p) - 1) * NR + (r)])
#define CBP1(r) CB(1, r)
#define CBP2(r) CB(2, r)
#define BUSY(p) ((p) == 1 -> (ANYQ0(CBP1) || ANYQ1(CBP1) || ph[1] != IDLE || ph[2] != IDLE) \
                          : (ANYQ0(CBP2) || ANYQ1(CBP2) || ph[3] != IDLE || ph[4] != IDLE))
inline crash(p) {
  d_step {
    CANCRASH && BUSY(p) ->
      crashes++; FORGET;
      k = 0;
      do
      :: k < NR -> lk[k] = lk[k] & (3 - (1 << (p - 1))); cst[(p - 1) * NR + k] = NOCOPY; ackd[(p - 1) * NR + k] = 0; k++
      :: else -> break
      od;
      n = (p - 1) * 2 + 1; endBatch(n); n++; endBatch(n);
      tdead[(p - 1) * 2 + 1] = 0; tdead[(p - 1) * 2 + 2] = 0
  }
}

proctype Crasher() {
  do
  :: crash(1)
  :: crash(2)
  :: ALLDONE -> break
  od
}

init {
  atomic {
    k = 0; do :: k < NM -> rdb[k] = PRESENT; k++ :: else -> break od;
    run Consumer(1); run Consumer(2); run Crasher()
  }
  ALLDONE;
  assert(eff[0] == 1 && eff[1] == 1 && eff[2] == 1);                  /* each message's effect once */
  assert(eff[NM] == 1 && eff[NM + 1] == (NSEND == 2 -> 1 : 0) && eff[NM + 2] == 0);   /* each follow-up's effect once */
  assert(!stored[0] && !stored[1] && !stored[2]);
  assert(irow[0] == COMPLETED && irow[1] == COMPLETED && irow[2] == COMPLETED);
  assert(irow[NM] == COMPLETED && (NSEND == 1 || irow[NM + 1] == COMPLETED))
}
