/* oncebus's group-commit idempotence protocol (src/stores/sql/group-commit, PostgreSQL), checked over
   every interleaving of two consumer processes, duplicate publishes, handler failures (retry by
   re-enqueue), infrastructure failures ("outages": roll back, release the copy, no failure counted) and
   crashes between any two steps. It refines oncebus.pml: each message goes through the same sequence
   (claim, handler, stored sends and 'handled' committed together, flush, complete, ack), but the claims,
   handler writes, stored sends and 'handled' marks of several in-flight messages share one transaction
   (a "batch") of a lane. Modelled:
   - processes and lanes: process 1 has NL1 lanes (1 by default, 2 in check.sh's second run), process 2
     has one; each lane runs one batch at a time. A process holds at most NS1 / NS2 unacknowledged copies
     (prefetch). A received copy is routed to a lane of its process (with two lanes, either: the
     implementation takes the least loaded);
   - forming (CommitLane.form): an idle lane takes the copies waiting in its queue, at most 2. A copy whose
     messageId is already in this batch, or held by another open batch of the same process
     (ClaimsInFlight), is parked until that batch has ended, then routed again. Copies in different
     processes meet only in the database;
   - claim (claimMany): one INSERT .. ON CONFLICT DO NOTHING for the batch, row by row in key order
     (ORDER BY m.id): a row written by another open transaction makes it wait for that transaction's end.
     The new row is written 'completed' and nobody sees it before the commit. A member whose key comes
     back in RETURNING is Assigned. A row committed before: 'handled' -> MessageHandled (flush what is
     stored, complete, ack), 'completed' -> Ignore (ack); those members leave the batch at once;
   - turns: each Assigned member's handler runs in turn on the shared transaction, its writes in a
     savepoint of its own. Success: its effect (and, for a message that sends, F kept in memory) stays in
     the batch. Failure: rollback to its savepoint, its claim row deleted, then - before the batch
     commits - a retry copy enqueued and the original acknowledged. An outage in the turn (a failed
     statement, RELEASE SAVEPOINT): the same undo, the copy released;
   - commit (finish + COMMIT): if any member succeeded, the stored sends are inserted, the members that
     stored sends are marked 'handled', and one COMMIT makes the effects, rows and stored sends durable
     together; if none did, the transaction rolls back. An outage of the batch at any step before the
     commit completes: nothing of the batch is durable and every member still in it is released. An
     outage of the commit's round trip itself (the reply lost, or the next batch's BEGIN and claim that
     ride with it failing): the commit is durable, but the lane cannot tell and releases every member;
   - put-back (-DPUTBACK; CommitLane.putBack, where one writer serves every process: SQLite's writeTurnMs):
     once a member has had its turn, the batch may give none to the members still waiting for theirs
     (the implementation: when the batch has been open a write turn; here at any such moment). Their
     claim rows are deleted in the batch's transaction and, once it has ended (committed what the earlier
     members did, or rolled back if none succeeded: the deletes roll back with the claims), they are
     routed again, to be claimed by a later batch; no handler of theirs ran. If the batch fails (an outage,
     including the commit's lost reply) they are released with it. Off, the model is PostgreSQL's lane
     (which never puts back); on, it has every behaviour of that one and more, so check.sh runs with it;
   - after the commit, per member and in any interleaving: with sends, dispatch F (from memory), delete
     the stored send (deferredMessageSent), mark the row 'completed' (processingCompleted), ack; without
     sends the row is already 'completed': ack. MessageHandled: dispatch what is stored (a re-sent F keeps
     its messageId; the receiver drops duplicates), delete, complete, ack; two such copies may both flush;
   - a crash of a process: its open transactions roll back and all its unacknowledged copies go back to
     the broker. An outage of one member (waiting, parked, retrying, flushing, completing, acking): the
     copy is released.
   Message 0's handler stores a follow-up send F, message 1's stores none (a batch can hold one member
   of each: one may fail while the other succeeds); each message is published twice.
   Abstractions (each keeps every behaviour of the implementation, or more):
   - routing and parking are nondeterministic; turns run in any order (the implementation: batch order);
   - a member's turn (grant, handler, savepoint release or undo) is one step; MessageHandled / Ignore is
     decided by the claim step (the implementation reads the status by a second statement; a committed
     row only moves from 'handled' to 'completed', and the later read changes nothing);
   - a failed member's deleted claim row frees its key at once (PostgreSQL keeps a concurrent claimant
     waiting until our transaction ends: a subset of these interleavings);
   - outages may strike any waiting or post-commit member and any open batch at any step;
   - the completion statements (CompletionBatcher) are shared but each caller waits for its own commit:
     one step per member; F's dispatch is counted "at least once" (saturates at 1).
   Restrictions: a lane takes its waiting copies in slot order (the implementation: arrival order); no
   retention purge (a 'completed' row purged and claimed anew: only completed rows are purged, after the window); the bounds:
   two messages, MAXFAULT crashes and outages in all (at most MAXCRASH crashes, MAXOUTAGE outages),
   MAXFAIL handler failures, NS1 / NS2 copies in flight. Defaults: one lane per process, two copies in
   flight each, 2 faults, 1 handler failure; check.sh's second run: two lanes and three copies in process
   1, one copy in process 2, 1 fault, 1 handler failure (2 faults there double the states and the time).
   Properties: each message's effect commits at most once, checked at every commit (the only place an
   effect changes); at the end (every copy consumed, every slot free, every lane idle): each effect
   committed exactly once, F dispatched at least once, nothing still stored, every row completed. An
   invalid end state (e.g. a claim waiting forever: a deadlock) is an error too. Search: exhaustive
   (no bitstate, no hash compaction), -DSAFETY. */

#define NM 2          /* messages */
#ifndef NS1
#define NS1 2         /* copy slots (prefetch) of process 1: slots 0..NS1-1 */
#endif
#ifndef NS2
#define NS2 2         /* copy slots of process 2: slots NS1..NS1+NS2-1 (at most 5 slots in all) */
#endif
#ifndef NL1
#define NL1 1         /* lanes of process 1 (1 or 2): 1..NL1; process 2 has one, lane NL1+1 */
#endif
#define NS (NS1 + NS2)
#define NL (NL1 + 1)
#define SPROC(i) ((i) < NS1 -> 1 : 2)
#define LPROC(L) ((L) <= NL1 -> 1 : 2)
/* the keys held by the other open batch of the lane's process (ClaimsInFlight) */
#define HELDOTHER(L) (NL1 == 2 && (L) == 1 -> held[2] : (NL1 == 2 && (L) == 2 -> held[1] : 0))

#ifndef MAXFAULT
#define MAXFAULT 2    /* crashes and outages together */
#endif
#ifndef MAXCRASH
#define MAXCRASH 2
#endif
#ifndef MAXOUTAGE
#define MAXOUTAGE 2
#endif
#ifndef MAXFAIL
#define MAXFAIL 1     /* handler failures */
#endif
#define CANCRASH (crashes < MAXCRASH && crashes + outages < MAXFAULT)
#define CANOUTAGE (outages < MAXOUTAGE && crashes + outages < MAXFAULT)

/* committed idempotence row */
#define NONE 0
#define HANDLED 1
#define COMPLETED 2

/* a copy slot (one inbox pipeline) */
#define FREE 0        /* no copy */
#define WAIT 1        /* received, waiting in the queue of lane[i] */
#define PARK 2        /* its key is held by an open batch of the process: waits for that batch's end */
#define INB 3         /* taken into the batch of lane[i], not claimed yet */
#define ASG 4         /* claimed (Assigned), waiting for its turn */
#define SUCC 5        /* handler succeeded, its work waits in the batch for the commit */
#define PUTB 6        /* put back (PUTBACK): its claim deleted, no handler ran; routed again when the batch ends */
#define RETRY 7       /* handler failed and undone: enqueue a retry copy */
#define RETRYACK 8    /* retry copy enqueued: acknowledge the original */
#define FLUSHMEM 9    /* committed with a stored send: dispatch F */
#define FLUSHDB 10    /* MessageHandled: dispatch what is stored */
#define SENT 11       /* F dispatched: delete the stored send */
#define DEL 12        /* mark the row completed */
#define ACK 13        /* acknowledge */

/* a lane */
#define IDLE 0
#define CLAIM0 1      /* claiming key 0, then key 1 (ORDER BY m.id) */
#define CLAIM1 2
#define TURNS 3
#define TURNED 4      /* TURNS, and a member has had its turn (set under PUTBACK only: no states added without it) */
#define INTURNS(L) (ph[L] == TURNS || ph[L] == TURNED)

byte copies[NM] = 2;      /* copies ready in the broker: each message published twice */
byte row[NM];             /* committed idempotence row */
byte lock[NM];            /* lane whose open transaction holds an uncommitted claim row, 0 = none */
byte effect[NM];          /* committed business effects */
byte stored[NM];          /* committed, not yet deleted, stored send F */
byte fsent[NM];           /* F dispatched (at least once) */
bool sends[NM];           /* the message's handler stores a follow-up send */

/* arrays have room for 5 slots and 3 lanes; those not configured stay FREE / IDLE */
byte st[5];               /* slot state */
byte msg[5];              /* message of the copy in the slot */
byte lane[5];             /* lane whose queue (WAIT) or batch (INB, ASG, SUCC) the copy is in, else 0 */
bool ackd[5];             /* copy acknowledged while its slot is still busy (never, but for a mutant) */

byte ph[4];               /* lane phase (lanes 1..3) */
byte held[4];             /* keys of the lane's open batch (bit per message), until the batch ends */
byte peff[4 * NM];        /* uncommitted effects in the lane's transaction, per message */

byte crashes = 0;
byte failures = 0;
byte outages = 0;
hidden byte k;            /* scratch for loops inside d_steps (not part of the state) */
hidden byte j;

#define INBK(i, L, K) (st[i] == INB && lane[i] == L && msg[i] == K)
#define HASINB(L, K) (INBK(0, L, K) || INBK(1, L, K) || INBK(2, L, K) || INBK(3, L, K) || INBK(4, L, K))
#define ASGIN(i, L) (st[i] == ASG && lane[i] == L)
#define HASASG(L) (ASGIN(0, L) || ASGIN(1, L) || ASGIN(2, L) || ASGIN(3, L) || ASGIN(4, L))
#define SUCCIN(i, L) (st[i] == SUCC && lane[i] == L)
#define HASSUCC(L) (SUCCIN(0, L) || SUCCIN(1, L) || SUCCIN(2, L) || SUCCIN(3, L) || SUCCIN(4, L))
#define ALLDONE (copies[0] == 0 && copies[1] == 0 && st[0] == FREE && st[1] == FREE && st[2] == FREE && \
                 st[3] == FREE && st[4] == FREE && ph[1] == IDLE && ph[2] == IDLE && ph[3] == IDLE)
#define SBUSY(i, p) (st[i] != FREE && SPROC(i) == (p))
#define LBUSY(L, p) (ph[L] != IDLE && LPROC(L) == (p))
#define BUSY(p) (SBUSY(0, p) || SBUSY(1, p) || SBUSY(2, p) || SBUSY(3, p) || SBUSY(4, p) || \
                 LBUSY(1, p) || LBUSY(2, p) || LBUSY(3, p))
/* a process fills its lowest free slot (slots are interchangeable: no behaviour is lost) */
#define LOWESTFREE(i) (st[i] == FREE && ((i) == 0 || (i) == NS1 || st[(i) - 1] != FREE))

/* the copy goes back to the broker unacknowledged (released, or its process died) */
inline release(i) {
  if :: !ackd[i] -> copies[msg[i]]++ :: else -> skip fi;
  st[i] = FREE; msg[i] = 0; lane[i] = 0; ackd[i] = 0
}

/* the lane's transaction has ended (committed or rolled back): its claims and keys are free */
inline endBatch(L) {
  j = 0;
  do
  :: j < NM ->
     if :: lock[j] == L -> lock[j] = 0 :: else -> skip fi;
     peff[L * NM + j] = 0;
     j++
  :: else -> break
  od;
  j = 0;
#ifdef PUTBACK
  /* resubmit: a put-back member is routed again, like a parked copy whose holder ended */
  do
  :: j < NS -> if :: st[j] == PUTB && lane[j] == L -> st[j] = PARK; lane[j] = 0 :: else -> skip fi; j++
  :: else -> break
  od;
  j = 0;
#endif
  held[L] = 0; ph[L] = IDLE
}

/* forming: the lane takes the copies waiting in its queue, at most 2; one whose key is in this batch or
   held by another open batch of the process (ClaimsInFlight) is parked until that batch ends */
#define BIT(i) (1 << msg[i])
#define HELDP(L, i) ((held[L] & BIT(i)) != 0 || (HELDOTHER(L) & BIT(i)) != 0)
#define WAITIN(i, L) (st[i] == WAIT && lane[i] == L)
#define HASWAIT(L) (WAITIN(0, L) || WAITIN(1, L) || WAITIN(2, L) || WAITIN(3, L) || WAITIN(4, L))
inline form() {
  d_step {
    ph[L] == IDLE && HASWAIT(L) ->
      k = 0; j = 0;
      do
      :: k < NS ->
         if
         :: WAITIN(k, L) && j < 2 ->
            if
            :: HELDP(L, k) -> st[k] = PARK; lane[k] = 0
            :: else -> st[k] = INB; held[L] = held[L] | BIT(k); j++
            fi
         :: else -> skip
         fi;
         k++
      :: else -> break
      od;
      k = 0; j = 0;
      if
      :: HASINB(L, 0) -> ph[L] = CLAIM0
      :: HASINB(L, 1) -> ph[L] = CLAIM1
      :: else -> held[L] = 0                                    /* all parked: no batch */
      fi
  }
}

/* the claim statement at key K (rows are inserted in key order): waits while another open transaction
   holds K's row, then resolves every member with key K */
inline claim(K) {
  d_step {
    ph[L] == CLAIM0 + K && (lock[K] == 0 || lock[K] == L) ->
      k = 0;
      do
      :: k < NS ->
         if
         :: INBK(k, L, K) ->
            if
            :: lock[K] == L -> st[k] = ASG                    /* K came back in RETURNING: claimed (only a duplicate in the batch gets here) */
            :: lock[K] == 0 && row[K] == NONE -> lock[K] = L; st[k] = ASG
            :: lock[K] == 0 && row[K] == HANDLED -> st[k] = FLUSHDB; lane[k] = 0
            :: lock[K] == 0 && row[K] == COMPLETED -> st[k] = ACK; lane[k] = 0
            fi
         :: else -> skip
         fi;
         k++
      :: else -> break
      od;
      k = 0;
      if
      :: K == 0 && HASINB(L, 1) -> ph[L] = CLAIM1
      :: else -> ph[L] = TURNS
      fi;
      if
      :: ph[L] == TURNS && !HASASG(L) -> endBatch(L)          /* nothing claimed: roll back */
      :: else -> skip
      fi
  }
}

/* a claimed member's turn: its handler succeeds, fails (undone, retried) or meets an outage (undone, released) */
#ifdef PUTBACK
#define TURNGIVEN ph[L] = TURNED
#else
#define TURNGIVEN skip
#endif
inline turn(i) {
  if
  :: d_step { INTURNS(L) && ASGIN(i, L) -> peff[L * NM + msg[i]]++; st[i] = SUCC; TURNGIVEN }
  :: d_step { INTURNS(L) && ASGIN(i, L) && failures < MAXFAIL ->
       failures++; lock[msg[i]] = 0; st[i] = RETRY; lane[i] = 0; TURNGIVEN }
  :: d_step { INTURNS(L) && ASGIN(i, L) && CANOUTAGE ->
       outages++; lock[msg[i]] = 0; release(i); TURNGIVEN }
  fi
}

/* putBack (where one writer serves every process, SQLite's writeTurnMs): once a member has had its turn,
   the batch may give none to the members still waiting for theirs; each one's claim row is deleted in
   the batch's transaction and it goes back to be claimed by a later batch, no handler of its having run */
inline putBack() {
  d_step {
    ph[L] == TURNED && HASASG(L) ->
      k = 0;
      do
      :: k < NS -> if :: ASGIN(k, L) -> lock[msg[k]] = 0; st[k] = PUTB :: else -> skip fi; k++
      :: else -> break
      od;
      k = 0
  }
}

/* store the sends, mark 'handled' the members that stored any, COMMIT; `lost`: the lane never learns
   that the commit happened, and releases every member */
inline commitBatch(L, lost) {
  k = 0;
  do
  :: k < NM ->
     effect[k] = effect[k] + peff[L * NM + k];
     assert(effect[k] <= 1);                       /* at most once, at every commit */
     k++
  :: else -> break
  od;
  k = 0;
  do
  :: k < NS ->
     if
     :: SUCCIN(k, L) ->
        if
        :: sends[msg[k]] -> row[msg[k]] = HANDLED; stored[msg[k]] = 1; st[k] = FLUSHMEM
        :: else -> row[msg[k]] = COMPLETED; st[k] = ACK
        fi;
        lane[k] = 0;
        if :: lost -> release(k) :: else -> skip fi
     :: else -> skip
     fi;
     k++
  :: else -> break
  od;
  /* a claim row still held that no member's commit marked (none, but for a mutant) commits as inserted */
  k = 0;
  do
  :: k < NM -> if :: lock[k] == L && row[k] == NONE -> row[k] = COMPLETED :: else -> skip fi; k++
  :: else -> break
  od;
  k = 0
}

proctype Lane(byte L) {
  do
  :: form()
  :: claim(0)
  :: claim(1)
  :: turn(0) :: turn(1) :: turn(2) :: turn(3) :: turn(4)
#ifdef PUTBACK
  :: putBack()
#endif
  :: d_step {
       INTURNS(L) && !HASASG(L) ->
         if
         :: HASSUCC(L) -> commitBatch(L, 0)
         :: else -> skip                                       /* nobody succeeded: roll back */
         fi;
         endBatch(L)
     }
  :: d_step {
       /* the COMMIT is durable but its round trip fails (the reply, or the next batch's BEGIN and claim
          riding with it, is lost): the lane cannot tell, so every member is released */
       INTURNS(L) && !HASASG(L) && HASSUCC(L) && CANOUTAGE ->
         outages++;
         commitBatch(L, 1);
         k = 0;                                                /* the put-back members fail with the batch */
         do
         :: k < NS -> if :: st[k] == PUTB && lane[k] == L -> release(k) :: else -> skip fi; k++
         :: else -> break
         od;
         k = 0;
         endBatch(L)
     }
  :: d_step {
       /* an outage of the batch (begin, claim, undo, finish, commit): roll back, release its members */
       ph[L] != IDLE && CANOUTAGE ->
         outages++;
         k = 0;
         do
         :: k < NS -> if :: st[k] >= INB && st[k] <= PUTB && lane[k] == L -> release(k) :: else -> skip fi; k++
         :: else -> break
         od;
         k = 0;
         endBatch(L)
     }
  :: ALLDONE -> break
  od
}

/* a process's first lane; with two lanes, a copy is routed to either (the implementation: the least loaded) */
#define LANE1(i) (SPROC(i) == 1 -> 1 : NL1 + 1)
#define LANE2(i) (SPROC(i) == 1 && NL1 == 2 -> 2 : LANE1(i))
/* a parked copy's key is still held by an open batch of its process */
#define PHELD(i) ((held[LANE1(i)] & BIT(i)) != 0 || (held[LANE2(i)] & BIT(i)) != 0)

proctype Slot(byte i) {
  do
  :: d_step { LOWESTFREE(i) && copies[0] > 0 -> copies[0]--; msg[i] = 0; st[i] = WAIT; lane[i] = LANE1(i) }
  :: d_step { LOWESTFREE(i) && copies[1] > 0 -> copies[1]--; msg[i] = 1; st[i] = WAIT; lane[i] = LANE1(i) }
  :: d_step { LOWESTFREE(i) && copies[0] > 0 && LANE2(i) != LANE1(i) -> copies[0]--; msg[i] = 0; st[i] = WAIT; lane[i] = LANE2(i) }
  :: d_step { LOWESTFREE(i) && copies[1] > 0 && LANE2(i) != LANE1(i) -> copies[1]--; msg[i] = 1; st[i] = WAIT; lane[i] = LANE2(i) }
  :: d_step { st[i] == PARK && !PHELD(i) -> st[i] = WAIT; lane[i] = LANE1(i) }  /* its holder ended: routed again */
  :: d_step { st[i] == PARK && !PHELD(i) && LANE2(i) != LANE1(i) -> st[i] = WAIT; lane[i] = LANE2(i) }
  :: d_step { st[i] == RETRY -> copies[msg[i]]++; st[i] = RETRYACK }     /* enqueue the retry copy */
  :: d_step { st[i] == RETRYACK -> st[i] = FREE; msg[i] = 0; ackd[i] = 0 } /* then acknowledge the original */
  :: d_step { st[i] == FLUSHMEM -> fsent[msg[i]] = 1; st[i] = SENT }
  :: d_step {
       st[i] == FLUSHDB ->
         if :: stored[msg[i]] -> fsent[msg[i]] = 1; st[i] = SENT :: else -> st[i] = DEL fi
     }
  :: d_step { st[i] == SENT -> stored[msg[i]] = 0; st[i] = DEL }        /* deferredMessageSent */
  :: d_step { st[i] == DEL -> row[msg[i]] = COMPLETED; st[i] = ACK }    /* processingCompleted */
  :: d_step { st[i] == ACK -> st[i] = FREE; msg[i] = 0; ackd[i] = 0 }   /* acknowledge */
  :: d_step { (st[i] <= PARK || st[i] >= RETRY) && st[i] != FREE && CANOUTAGE -> outages++; release(i) }
  :: ALLDONE -> break
  od
}

/* a crash of process p: its open transactions roll back, all its unacknowledged copies go back */
inline crash(p) {
  d_step {
    CANCRASH && BUSY(p) ->
      crashes++;
      k = 0;
      do
      :: k < NS -> if :: SPROC(k) == p && st[k] != FREE -> release(k) :: else -> skip fi; k++
      :: else -> break
      od;
      k = 1;
      do
      :: k <= NL -> if :: LPROC(k) == p -> endBatch(k) :: else -> skip fi; k++
      :: else -> break
      od;
      k = 0
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
  sends[0] = 1;
  atomic {
    k = 1; do :: k <= NL -> run Lane(k); k++ :: else -> break od;
    k = 0; do :: k < NS -> run Slot(k); k++ :: else -> break od;
    k = 0;
    run Crasher()
  }
  ALLDONE;
  assert(effect[0] == 1 && effect[1] == 1);
  assert(fsent[0] >= 1);
  assert(stored[0] == 0 && stored[1] == 0);
  assert(row[0] == COMPLETED && row[1] == COMPLETED)
}
