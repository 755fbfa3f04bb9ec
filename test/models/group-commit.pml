/* oncebus's group-commit idempotence protocol (src/stores/sql/group-commit, PostgreSQL), checked over
   every interleaving of two consumer processes, duplicate publishes, handler failures (retry by
   re-enqueue), infrastructure failures ("outages": roll back, release the copy, no failure counted) and
   crashes between any two steps. It refines oncebus.pml: the per-message sequence is the same, but the
   claims, handler writes, stored sends and 'handled' marks of several in-flight messages share one
   transaction (a "batch") of a lane:
   - process 1 has two lanes (1 and 2), process 2 has one (3); each lane runs one batch at a time;
   - forming: a lane takes waiting copies of its process, at most 2 per batch. A copy whose messageId is
     already in this batch, or held by another open batch of the same process (ClaimsInFlight), is not
     taken: it waits until that batch has ended. Copies in different processes meet only in the database;
   - claim: one INSERT .. ON CONFLICT DO NOTHING, row by row in key order (ORDER BY m.id): a row another
     open transaction wrote makes it wait for that transaction's end. The new row is written 'completed'
     and is seen by nobody before the commit. A row committed before: 'handled' -> MessageHandled (flush
     what is stored, complete, ack), 'completed' -> Ignore (ack). Those members leave the batch at once;
   - turns: each claimed member's handler in turn on the shared transaction, its writes in a savepoint
     of its own. Success: its effect (and, for a message that sends, F kept in memory) stays in the
     batch. Failure: rollback to its savepoint, its claim deleted, then - before the batch commits - a
     retry copy enqueued and the original acknowledged. An outage in the turn: the same undo, the copy
     released;
   - commit: if any member succeeded, its stored sends are inserted, the members that stored sends are
     marked 'handled', and one COMMIT makes the effects, rows and stored sends durable together. A
     failure (outage) of the batch at any step before that: nothing of the batch is durable and every
     member still in it is released. A crash: the open transactions of the process roll back and all its
     unacknowledged copies go back to the broker;
   - after the commit, per member: with sends, dispatch F (from memory), delete the stored send, mark the
     row 'completed', ack; without sends the row already is 'completed': ack. MessageHandled: dispatch
     what is stored (a re-sent F keeps its messageId; the receiver drops duplicates), delete, complete, ack.
   Message 0's handler stores a follow-up send F, message 1's stores none; each is published twice.
   Abstractions (each keeps every behaviour of the implementation, or more):
   - batch forming takes any waiting copy of the process into any idle lane, one at a time, in any order
     (the implementation takes all waiting copies of the lane's queue at once, in order); turns run in
     any order (the implementation: batch order);
   - a member's turn (grant, handler, savepoint release or undo) is one step; MessageHandled / Ignore is
     decided by the claim step (the implementation reads the status by a second statement; a committed
     row only moves from 'handled' to 'completed', so a later read changes nothing);
   - a failed member's claim row is deleted at once and frees the key (PostgreSQL keeps other claimants
     waiting until our transaction ends: a subset of these interleavings);
   - outages may strike any waiting or post-commit member, and any open batch at any step (superset);
   - no retention purge (a purged 'completed' row, claimed anew, is oncebus.pml's and the contract's case);
   - F's dispatch count saturates at 1 ("dispatched at least once").
   Bounds: MAXCRASH crashes, MAXFAIL handler failures, MAXOUTAGE outages in all; each process holds
   at most 3 (process 1) or 2 (process 2) unacknowledged copies (prefetch).
   Properties: each message's effect commits at most once, at every commit (assert); at the end (every
   copy consumed, every process idle): each effect committed exactly once, F dispatched at least once,
   nothing still stored, every row completed. Invalid end states (a lane waiting forever, e.g. a claim
   deadlock) are errors too. */

#define NM 2          /* messages */
#define NS 5          /* copy slots: 0..2 in process 1, 3..4 in process 2 */
#define NL 3          /* lanes 1..3: 1 and 2 in process 1, 3 in process 2 */
#define SPROC(i) ((i) < 3 -> 1 : 2)
#define LPROC(L) ((L) < 3 -> 1 : 2)
/* the keys held by the other open batches of the lane's process (ClaimsInFlight) */
#define HELDOTHER(L) ((L) == 1 -> held[2] : ((L) == 2 -> held[1] : 0))

#define MAXCRASH 2
#define MAXFAIL 2
#define MAXOUTAGE 2

/* committed idempotence row */
#define NONE 0
#define HANDLED 1
#define COMPLETED 2

/* a copy slot (one inbox pipeline) */
#define FREE 0        /* no copy */
#define WAIT 1        /* received, waiting to join a batch */
#define INB 2         /* taken into a batch, not claimed yet */
#define ASG 3         /* claimed (Assigned), waiting for its turn */
#define SUCC 4        /* handler succeeded, its work waits in the batch for the commit */
#define RETRY 5       /* handler failed and undone: enqueue a retry copy */
#define RETRYACK 6    /* retry copy enqueued: acknowledge the original */
#define FLUSHMEM 7    /* committed with a stored send: dispatch F */
#define FLUSHDB 8     /* MessageHandled: dispatch what is stored */
#define SENT 9        /* F dispatched: delete the stored send */
#define DEL 10        /* mark the row completed */
#define ACK 11        /* acknowledge */

/* a lane */
#define IDLE 0
#define FORM 1        /* batch being formed */
#define CLAIM0 2      /* claiming key 0, then key 1 (ORDER BY m.id) */
#define CLAIM1 3
#define TURNS 4

byte copies[NM] = 2;      /* copies ready in the broker: each message published twice */
byte row[NM];             /* committed idempotence row */
byte lock[NM];            /* lane whose open transaction holds an uncommitted claim row, 0 = none */
byte effect[NM];          /* committed business effects */
byte stored[NM];          /* committed, not yet deleted, stored send F */
byte fsent[NM];           /* F dispatched (at least once) */
bool sends[NM];           /* the message's handler stores a follow-up send */

byte st[NS];              /* slot state */
byte msg[NS];             /* message of the copy in the slot */
byte lane[NS];            /* lane whose batch the copy is in (INB, ASG, SUCC), else 0 */
bool ackd[NS];            /* copy acknowledged while its slot is still busy (never, but for a mutant) */

byte ph[NL + 1];          /* lane phase */
byte held[NL + 1];        /* keys of the lane's open batch (bit per message), until the batch ends */
byte nb[NL + 1];          /* members taken into the batch */
byte peff[(NL + 1) * NM]; /* uncommitted effects in the lane's transaction, per message */

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
#define BUSY(p) ((p) == 1 -> (st[0] != FREE || st[1] != FREE || st[2] != FREE || ph[1] != IDLE || ph[2] != IDLE) \
                          : (st[3] != FREE || st[4] != FREE || ph[3] != IDLE))
/* a process fills its lowest free slot (slots are interchangeable: no behaviour is lost) */
#define LOWESTFREE(i) (st[i] == FREE && ((i) == 0 || (i) == 3 || st[(i) - 1] != FREE))

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
  held[L] = 0; nb[L] = 0; ph[L] = IDLE
}

/* forming: take a waiting copy of this process into the batch */
inline take(i) {
  d_step {
    ph[L] <= FORM && nb[L] < 2 && st[i] == WAIT && SPROC(i) == LPROC(L) &&
    (held[L] & (1 << msg[i])) == 0 && (HELDOTHER(L) & (1 << msg[i])) == 0 ->
      st[i] = INB; lane[i] = L; held[L] = held[L] | (1 << msg[i]); nb[L]++; ph[L] = FORM
  }
}

/* the claim statement, at key K: waits while another open transaction holds K's row */
inline claim(K) {
  d_step {
    ph[L] == CLAIM0 + K && (!HASINB(L, K) || lock[K] == 0 || lock[K] == L) ->
      k = 0;
      do
      :: k < NS && !INBK(k, L, K) -> k++
      :: else -> break
      od;
      if
      :: k == NS -> ph[L]++                                   /* no (more) member with key K */
      :: else ->
         if
         :: lock[K] == L -> st[k] = ACK; lane[k] = 0          /* its own uncommitted row reads 'completed': Ignore */
         :: lock[K] == 0 && row[K] == NONE -> lock[K] = L; st[k] = ASG
         :: lock[K] == 0 && row[K] == HANDLED -> st[k] = FLUSHDB; lane[k] = 0
         :: lock[K] == 0 && row[K] == COMPLETED -> st[k] = ACK; lane[k] = 0
         fi
      fi;
      k = 0
  }
}

/* a claimed member's turn: its handler succeeds, fails (undone, retried) or meets an outage (undone, released) */
inline turn(i) {
  if
  :: d_step { ph[L] == TURNS && ASGIN(i, L) -> peff[L * NM + msg[i]]++; st[i] = SUCC }
  :: d_step { ph[L] == TURNS && ASGIN(i, L) && failures < MAXFAIL ->
       failures++; lock[msg[i]] = 0; st[i] = RETRY; lane[i] = 0 }
  :: d_step { ph[L] == TURNS && ASGIN(i, L) && outages < MAXOUTAGE ->
       outages++; lock[msg[i]] = 0; release(i) }
  fi
}

proctype Lane(byte L) {
  do
  :: take(0) :: take(1) :: take(2) :: take(3) :: take(4)
  :: d_step { ph[L] == FORM -> ph[L] = CLAIM0 }               /* begin; the claim statement starts */
  :: claim(0)
  :: claim(1)
  :: turn(0) :: turn(1) :: turn(2) :: turn(3) :: turn(4)
  :: d_step {
       ph[L] == TURNS && !HASASG(L) ->
         if
         :: HASSUCC(L) ->
            /* store the sends, mark 'handled' the members that stored any, COMMIT */
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
                  lane[k] = 0
               :: else -> skip
               fi;
               k++
            :: else -> break
            od;
            k = 0
         :: else -> skip                                       /* nobody succeeded: roll back */
         fi;
         endBatch(L)
     }
  :: d_step {
       /* an outage of the batch (begin, claim, undo, finish, commit): roll back, release its members */
       ph[L] != IDLE && outages < MAXOUTAGE ->
         outages++;
         k = 0;
         do
         :: k < NS -> if :: lane[k] == L -> release(k) :: else -> skip fi; k++
         :: else -> break
         od;
         k = 0;
         endBatch(L)
     }
  :: ALLDONE -> break
  od
}

proctype Slot(byte i) {
  do
  :: d_step { LOWESTFREE(i) && copies[0] > 0 -> copies[0]--; msg[i] = 0; st[i] = WAIT }
  :: d_step { LOWESTFREE(i) && copies[1] > 0 -> copies[1]--; msg[i] = 1; st[i] = WAIT }
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
  :: d_step { (st[i] == WAIT || st[i] >= RETRY) && outages < MAXOUTAGE -> outages++; release(i) }
  :: ALLDONE -> break
  od
}

/* a crash of process p: its open transactions roll back, all its unacknowledged copies go back */
inline crash(p) {
  d_step {
    crashes < MAXCRASH && BUSY(p) ->
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
    run Lane(1); run Lane(2); run Lane(3);
    run Slot(0); run Slot(1); run Slot(2); run Slot(3); run Slot(4);
    run Crasher()
  }
  ALLDONE;
  assert(effect[0] == 1 && effect[1] == 1);
  assert(fsent[0] >= 1);
  assert(stored[0] == 0 && stored[1] == 0);
  assert(row[0] == COMPLETED && row[1] == COMPLETED)
}
