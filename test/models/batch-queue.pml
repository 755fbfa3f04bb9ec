/* oncebus's batch-taking SQL queue (src/stores/sql/batch-taking-queue.ts, postgres://…?batch=N) as
   implemented, checked over every interleaving of two consumer processes on one queue of NM messages,
   with crashes between any two steps (a crashed consumer restarts and takes again):
   - a take locks up to BATCH free rows in one statement and one transaction (FOR UPDATE SKIP LOCKED: rows
     another consumer's batch holds are skipped);
   - each row of the batch is handed out and handled - the handler's work and its idempotence row commit
     in their own transaction, and a copy whose row is completed does nothing - then acknowledged, which
     only records the acknowledgement in the batch;
   - when the batch's last row is acknowledged, the acknowledged rows are deleted and the batch commits;
   - a crash rolls the batch back: its rows, acknowledged or not, are free again.
   Properties: at the end every row is deleted and every message had its effect once; in a run without
   crashes each message was handled once (no redelivery). */

#ifndef NM
#define NM 3
#endif
#ifndef BATCH
#define BATCH 2
#endif
#ifndef MAXCRASH
#define MAXCRASH 2
#endif

byte lockedBy[NM];   /* 0 = free, p = in consumer p's open batch */
bool acked[NM];      /* acknowledged in its open batch, not committed */
bool deleted[NM];
bool completed[NM];  /* the endpoint's idempotence row */
byte effect[NM];
byte handles[NM];    /* how often a handler ran for it */
byte crashes = 0;
byte finished = 0;

#define ALLDELETED (deleted[0] && deleted[1] && deleted[2])
#define FREE(i) (!deleted[i] && lockedBy[i] == 0)
#define ANYFREE (FREE(0) || FREE(1) || FREE(2))

/* a crash: the batch's transaction rolls back, its rows are free again (acknowledged ones too) */
inline crash() {
  atomic {
    crashes < MAXCRASH -> crashes++;
    i = 0;
    do
    :: i < NM -> if :: lockedBy[i] == me -> lockedBy[i] = 0; acked[i] = false :: else -> skip fi; i++
    :: else -> break
    od
  }
}

proctype Consumer(byte me) {
  byte i, m, taken;
restart:
  do
  :: ALLDELETED -> break
  :: atomic {                                     /* TAKE: up to BATCH free rows, one statement */
       ANYFREE;
       taken = 0; i = 0;
       do
       :: i < NM && taken < BATCH -> if :: FREE(i) -> lockedBy[i] = me; acked[i] = false; taken++ :: else -> skip fi; i++
       :: else -> break
       od
     }
     do
     :: if                                                                    /* HAND OUT one, in any order */
        :: lockedBy[0] == me && !acked[0] -> m = 0
        :: lockedBy[1] == me && !acked[1] -> m = 1
        :: lockedBy[2] == me && !acked[2] -> m = 2
        fi;
        if :: crash(); goto restart :: skip fi;
        atomic { handles[m]++; if :: !completed[m] -> completed[m] = true; effect[m]++ :: else -> skip fi }   /* HANDLE, idempotent, COMMIT */
        if :: crash(); goto restart :: skip fi;
        acked[m] = true                                                        /* ACKNOWLEDGE (recorded) */
     :: atomic {                                                               /* LAST SETTLED: DELETE acked, COMMIT */
          (lockedBy[0] != me || acked[0]) && (lockedBy[1] != me || acked[1]) && (lockedBy[2] != me || acked[2]);
          i = 0;
          do
          :: i < NM -> if :: lockedBy[i] == me && acked[i] -> deleted[i] = true; lockedBy[i] = 0; acked[i] = false :: else -> skip fi; i++
          :: else -> break
          od
        }
        break
     od
  od;
  finished++
}

init {
  atomic { run Consumer(1); run Consumer(2) }
  finished == 2;
  assert(ALLDELETED);
  assert(effect[0] == 1 && effect[1] == 1 && effect[2] == 1);
  /* without crashes no message comes back */
  assert(crashes > 0 || (handles[0] == 1 && handles[1] == 1 && handles[2] == 1))
}
