/* oncebus's HTTP Idempotency-Keys (src/http, idempotent-routes.ts) as implemented, checked over every
   interleaving of a client and two API processes (a retry of the client's key lands on either), with crashes
   between any two steps of an API process, a route that fails once, and a lease that runs out while its holder
   still runs (LAPSE: bounded):
   - the key row (http_keys): absent -> running(attempt, lease) -> completed(response); its response is the
     one of the attempt whose transaction completed it (here: that attempt's id);
   - CLAIM, in a short transaction of its own: insert the key running for a new attempt A if absent; else read
     it (find): completed -> replay its stored response; running under a live lease -> 409; running under a
     lapsed lease -> take over (UPDATE ... attempt = A WHERE attempt = the one read AND the lease lapsed); a
     row that changed under the claim is read again (CLAIM_ROUNDS, then 409);
   - the ROUTE's transaction (bus.withTransaction): the order row, the stored PlaceOrder and, at its end, the
     key completed with A's response `WHERE attempt = A AND status = 'running'`, committed together; 0 rows
     (taken over) rolls it all back and answers 409. The route may throw: rollback, then the key is freed
     (DELETE ... WHERE attempt = A) in a short statement, 5xx;
   - after the commit the session dispatches the stored PlaceOrder, abstractly as session.pml proves it:
     the committing process or any process's sweeper (at restart, when idle) sends what is stored and settles
     it; the downstream endpoint handles the command idempotently (by messageId);
   - the lease of a crashed holder runs out at some point; a live holder's lease may lapse (LAPSE);
   - the client sends the key's request and perhaps a concurrent duplicate; on 409, a 5xx or a connection
     reset (the process died) it retries, with any delay (any interleaving), until it accepts a response.
   Properties: at most one order and one PlaceOrder commit per key (asserted at each commit: the route's
   effects commit at most once); every response the client accepts equals the one stored in the key row; at
   the end the order committed, the downstream handled its command and nothing is left stored. With
   -DLIVENESS (compiled without -DSAFETY, pan -a -f: weak fairness) the client eventually accepts a response.
   Broken variants, which must fail:
   - -DHTTP_RESPONSE_OUTSIDE_TX: the response stored in a transaction of its own after the route's commits -> a
     crash between leaves the effects committed and the key running; its lease lapses, a retry takes it over
     and runs the route again: two orders;
   - -DHTTP_RUNNING_UNGUARDED: the completion is `UPDATE ... WHERE scope, key` (neither attempt nor status)
     -> after a take-over both attempts commit: two orders, and the response stored is not the one accepted. */

#define ABSENT 0
#define RUNNING 1
#define COMPLETED 2

#define OK 1            /* a 2xx, fresh or replayed, carrying the response's id */
#define CONFLICT 2      /* 409 */
#define FAILED 3        /* the route failed: 5xx */
#define RESET 4         /* the process died with the request: connection reset / timeout */

#ifndef MAXCRASH
#define MAXCRASH 2
#endif
#ifndef MAXFAIL
#define MAXFAIL 1
#endif
#ifndef MAXLAPSE
#define MAXLAPSE 1
#endif
#define CLAIM_ROUNDS 2

#ifdef HTTP_RUNNING_UNGUARDED
#define MINE(a) (kstatus != ABSENT)
#else
#define MINE(a) (kstatus == RUNNING && katt == (a))
#endif

byte kstatus = ABSENT;      /* the key row */
byte katt = 0;              /* attempt holding it (running) or whose response it stores (completed) */
bool klive = false;         /* the running row's lease has not lapsed */
byte kresp = 0;             /* the stored response (its attempt's id) */
byte held[3];               /* held[p]: the attempt process p runs now, 0 = none (a crash ends it) */
byte orders = 0;            /* committed order rows (each with its PlaceOrder stored) */
bool stored = false;        /* the committed PlaceOrder not yet dispatched and settled */
bool handledDownstream = false;
byte crashes = 0;
byte failures = 0;
byte lapses = 0;
bool accepted = false;
bool clientDone = false;
byte finished = 0;

chan reqs = [2] of { bit };
chan replies = [2] of { byte, byte };

/* a crash of process `me`: its attempt ends (its lease will lapse), its client sees the connection reset */
inline crash() {
  atomic {
    crashes < MAXCRASH ->
      crashes++;
      held[me] = 0;
      if :: holding -> replies!RESET,0; holding = false :: else -> skip fi;
      goto restart
  }
}

/* the stored PlaceOrder dispatched; the downstream handles a messageId once; then its row is settled */
inline dispatch() {
  if
  :: stored ->
     handledDownstream = true;
     if :: crash() :: skip fi;
     stored = false
  :: else -> skip
  fi
}

inline newAttempt() {
  atomic {
    if
    :: 1 != katt && 1 != held[3 - me] -> held[me] = 1
    :: else -> if :: 2 != katt && 2 != held[3 - me] -> held[me] = 2 :: else -> held[me] = 3 fi
    fi;
    a = held[me]
  }
}

proctype Api(byte me) {
  byte a;                  /* this request's attempt */
  byte s, sa;              /* the row as the claim read it */
  bool sl;
  byte round;
  bool holding = false;    /* a client's request is in hand */
  bit r;
restart:
  dispatch();              /* the sweeper at start */
idle:
  do
  :: atomic { reqs?r -> holding = true }; goto handle
  :: stored -> dispatch()  /* the sweeper's timer */
  :: atomic { clientDone && !stored -> break }
  od;
  finished++;
  goto end;

handle:
  newAttempt();
  if :: crash() :: skip fi;
  /* CLAIM */
  round = 0;
claim:
  atomic {
    if
    :: kstatus == ABSENT -> kstatus = RUNNING; katt = a; klive = true; goto claimed   /* INSERT */
    :: else -> s = kstatus; sa = katt; sl = klive                                   /* FIND */
    fi
  }
  if :: crash() :: skip fi;
  if
  :: s == COMPLETED -> atomic { replies!OK,sa; holding = false; held[me] = 0 }; goto idle   /* REPLAY */
  :: s == RUNNING && sl -> atomic { replies!CONFLICT,0; holding = false; held[me] = 0 }; goto idle
  :: s == RUNNING && !sl ->
     atomic {                                                                    /* TAKE OVER */
       if
       :: kstatus == RUNNING && katt == sa && !klive -> katt = a; klive = true; goto claimed
       :: else -> round++
       fi
     }
  fi;
  if
  :: round < CLAIM_ROUNDS -> goto claim
  :: else -> atomic { replies!CONFLICT,0; holding = false; held[me] = 0 }; goto idle
  fi;

claimed:
  if :: crash() :: skip fi;
  /* the ROUTE's transaction: its writes are uncommitted until the commit below */
  if
  :: atomic { failures < MAXFAIL -> failures++ }                                 /* the route throws: rollback */
     if :: crash() :: skip fi;
     atomic { if :: kstatus == RUNNING && katt == a -> kstatus = ABSENT; klive = false :: else -> skip fi }   /* FREE */
     if :: crash() :: skip fi;
     atomic { replies!FAILED,0; holding = false; held[me] = 0 };
     goto idle
  :: skip
  fi;
  if :: crash() :: skip fi;
#ifdef HTTP_RESPONSE_OUTSIDE_TX
  atomic { assert(orders == 0); orders++; stored = true }                         /* COMMIT of the route */
  if :: crash() :: skip fi;
  atomic { if :: MINE(a) -> kstatus = COMPLETED; kresp = a; klive = false :: else -> skip fi }   /* the response, apart */
#else
  atomic {
    if
    :: MINE(a) -> assert(orders == 0); orders++; stored = true;                  /* COMMIT: effects + response */
       kstatus = COMPLETED; katt = a; kresp = a; klive = false
    :: else ->                                                                   /* taken over: rollback, 409 */
       replies!CONFLICT,0; holding = false; held[me] = 0; goto idle
    fi
  }
#endif
  if :: crash() :: skip fi;
  atomic { replies!OK,a; holding = false; held[me] = 0 };
  dispatch();                                                                    /* the session's own dispatch */
  goto idle;
end:
  skip
}

/* leases: a dead holder's runs out at some point; a live one's may lapse (it outlived its lease) */
proctype Leases() {
  do
  :: atomic { kstatus == RUNNING && klive && katt != held[1] && katt != held[2] -> klive = false }
  :: atomic { kstatus == RUNNING && klive && lapses < MAXLAPSE -> lapses++; klive = false }
  :: clientDone -> break
  od
}

proctype Client() {
  byte inflight = 1;
  byte kind, v;
  reqs!0;
  if :: reqs!0; inflight++ :: skip fi;                                           /* a concurrent duplicate */
  do
  :: replies?kind,v ->
     inflight--;
     if
     :: kind == OK ->
        assert(kstatus == COMPLETED && kresp == v);                               /* what it accepts is stored */
        accepted = true
     :: else -> skip
     fi;
     if
     :: !accepted -> reqs!0; inflight++                                          /* retry, after any delay */
     :: accepted && inflight > 0 -> skip                                          /* a duplicate's answer is due */
     :: accepted && inflight == 0 -> break
     fi
  od;
  clientDone = true
}

init {
  atomic { run Api(1); run Api(2); run Leases(); run Client() }
  finished == 2;
  assert(accepted && orders == 1 && kstatus == COMPLETED && handledDownstream && !stored)
}

#ifdef LIVENESS
ltl answered { <> accepted }
#endif
