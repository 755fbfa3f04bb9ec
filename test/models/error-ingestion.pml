/* oncebus's failed-message operations (src/operations/errors) as implemented, checked over every
   interleaving of two ingesting processes, two operators returning the message, and the endpoint that
   handles it, with crashes between any two steps (a crashed process restarts and runs again) and a return
   lease that runs out while its holder still dispatches (LAPSE: bounded).
   - ingestion (ErrorIngestor): a process takes the error queue's copy of M, records it in the operations
     store - an upsert keyed by (messageId, source queue) that counts a failure only when the copy's bytes
     are not the ones recorded (a redelivered copy is the same failure) - commits, then acknowledges the
     copy; a crash before the acknowledgement puts the copy back in the queue, and so does the ingestor when
     the acknowledgement fails (ACKFAIL times at most), taking it again on its next round;
   - return (returnFailedMessages): an operator first resumes the returns stored RESUME_AFTER ago and not
     finished (takeReturning: taken by moving status_at, so one resumer takes each), then stores its own
     return (unresolved -> 'returning', status_at = now), dispatches a copy to the source queue, and marks
     it 'returned'; a crashed operator's process runs `return` again after a restart;
   - the endpoint handles copies of M with idempotence: once by messageId.
   Properties: at the end the error queue is empty; M has one record, counted as failed once; the record is
   'returned'; the endpoint handled M once. In a run without crashes or lapsed leases one copy was sent. */

#define READY 1
#define TAKEN 2
#define ACKED 3

#define NOREC 0
#define UNRESOLVED 1
#define RETURNING 2
#define RETURNED 3

byte errq = READY;          /* the error queue's copy of M */
byte taker = 0;             /* the ingestor holding it (unacknowledged) */
byte records = 0;           /* records of M in the operations store */
byte timesFailed = 0;
bool bytesRecorded = false; /* the recorded copy's bytes (the raw-hash dedupe) */
byte status = NOREC;
byte leaseOwner = 0;        /* the operator whose status_at is fresh: 0 = none, or run out */
byte copiesSent = 0;        /* copies of M dispatched to its source queue */
byte srcq = 0;              /* copies waiting there */
bool handled = false;       /* the endpoint's idempotence row for M */
byte effect = 0;
byte crashes = 0;
byte lapses = 0;
byte ackFailures = 0;
byte ingestorsDone = 0;
byte operatorsDone = 0;
#ifndef MAXCRASH
#define MAXCRASH 3
#endif
#ifndef MAXLAPSE
#define MAXLAPSE 1
#endif
#ifndef MAXACKFAIL
#define MAXACKFAIL 1
#endif

/* a crash of process `me`: an unacknowledged copy goes back to the queue; a fresh status_at it set runs out */
inline crashed() {
  atomic {
    crashes < MAXCRASH -> crashes++;
    if :: taker == me -> taker = 0; errq = READY :: else -> skip fi;
    if :: leaseOwner == me -> leaseOwner = 0 :: else -> skip fi
  }
}

proctype Ingestor(byte me) {
restart:
  do
  :: atomic { errq == READY -> errq = TAKEN; taker = me }
     if :: crashed(); goto restart :: skip fi;
     atomic { if :: !bytesRecorded -> records = 1; timesFailed++; bytesRecorded = true; status = UNRESOLVED :: else -> skip fi }   /* RECORD, COMMIT */
     if :: crashed(); goto restart :: skip fi;
     if
     :: atomic { errq = ACKED; taker = 0 }                                   /* ACKNOWLEDGE */
     :: atomic { ackFailures < MAXACKFAIL -> ackFailures++; errq = READY; taker = 0 }   /* ACK FAILED: RELEASE */
     fi
  :: errq == ACKED -> break
  od;
  ingestorsDone++
}

/* dispatch the stored return, then mark it returned (only while 'returning') */
inline dispatchAndMark() {
  atomic { copiesSent++; srcq++ };
  if :: crashed(); goto restart :: skip fi;
  atomic { if :: status == RETURNING -> status = RETURNED :: else -> skip fi; if :: leaseOwner == me -> leaseOwner = 0 :: else -> skip fi }   /* MARK */
}

proctype Operator(byte me) {
restart:
  /* the ingestion is done before an operator sees the record (a run of `errors return` after `ingest`) */
  ingestorsDone == 2;
  /* resume: a 'returning' record whose status_at is older than RESUME_AFTER (its owner died or lapsed) */
  if
  :: atomic { status == RETURNING && leaseOwner == 0 -> leaseOwner = me }   /* RESUME: TAKE */
     if :: crashed(); goto restart :: skip fi;
     dispatchAndMark()
  :: else -> skip
  fi;
  /* its own return: unresolved -> returning, status_at = now */
  if
  :: atomic { status == UNRESOLVED -> status = RETURNING; leaseOwner = me }
     if :: crashed(); goto restart :: skip fi;
     dispatchAndMark()
  :: else -> skip
  fi;
  /* one run each; a crashed operator runs once more after its restart (and so resumes its own return) */
  operatorsDone++
}

/* time passes while an operator still dispatches: its status_at runs out */
proctype Clock() {
  do
  :: atomic { lapses < MAXLAPSE && leaseOwner != 0 -> leaseOwner = 0; lapses++ }
  :: operatorsDone == 2 -> break
  od
}

proctype Endpoint() {
  do
  :: atomic { srcq > 0 -> srcq--; if :: !handled -> handled = true; effect++ :: else -> skip fi }   /* IDEMPOTENT HANDLE */
  :: operatorsDone == 2 && srcq == 0 -> break
  od
}

init {
  atomic { run Ingestor(1); run Ingestor(2); run Operator(3); run Operator(4); run Clock(); run Endpoint() }
  _nr_pr == 1;
  assert(errq == ACKED);
  assert(records == 1 && timesFailed == 1);
  assert(status == RETURNED);
  assert(copiesSent >= 1 && effect == 1);
  /* a second copy belongs to crash and lapse recovery alone */
  assert(crashes + lapses > 0 || copiesSent == 1)
}
