#!/usr/bin/env bash
# Model-checks oncebus's inbox protocol (oncebus.pml: a publish to three subscribers, expiry at any
# moment, the flush lease), then shows that six broken variants fail: the handled mark committed apart
# from the effect (Shuttle.Esb v15), a claim that does not block a concurrent copy, a handler failure that
# keeps its writes (no rollback), settling one stored send deleting every row with its messageId
# (delete-by-outgoing-id: subscribers lost after a partial flush), an expired copy dropped before
# anyone asks whether its work committed (expiry-first), and a flush that does not wait for the lease
# (competing copies re-send in normal operation).
# Then the group-commit protocol (group-commit.pml): two processes with one lane each (the file's
# defaults), and process 1 with two lanes (ClaimsInFlight between them; fewer faults, to stay small),
# both exhaustive and both with SQLite's put-back (-DPUTBACK: a batch open a write turn gives no turn to
# the members after the first that wait for one; their claims are deleted and they go to a later batch;
# it adds behaviours to PostgreSQL's lane, none removed: about 1.4 and 0.3 million states); and five
# broken variants of it, which must fail:
# - gc-no-savepoint: a failed member's writes stay in the batch (no rollback to its savepoint) and
#   commit with the others while its retry copy is enqueued -> the effect twice;
# - gc-same-batch-duplicate: no in-memory dedupe, two copies of one message in one batch; the claim
#   returns the key once and both members are Assigned -> the effect twice;
# - gc-ack-before-commit: a member acknowledges its copy when its handler succeeds, before the batch
#   commits -> a crash or outage before the commit loses the effect;
# - gc-complete-before-flush: a member that stored a send commits its row 'completed', not 'handled'
#   -> a crash before the dispatch loses F (a redelivered copy is ignored);
# - gc-putback-keeps-claim (-DPUTBACK): a put-back member's claim is not deleted -> it commits with the
#   batch as a 'completed' row while no handler of its ran, the copy routed again is ignored: effect lost.
# Then the transactional session (session.pml): the session's process and two sweepers, exhaustive; and
# three broken variants, which must fail:
# - session-sweeper-no-lease: a sweeper dispatches without taking the flush lease -> a calm run re-sends
#   what the session is still dispatching (checked without crashes or outages: the calm run is the point);
# - session-dual-write: the messages go out at once, the write commits apart (bus.send beside your own
#   transaction) -> a rollback has sent them;
# - session-no-sweeper: nobody dispatches a session whose process died after the commit -> F is lost.
# Then the failed-message operations (error-ingestion.pml): two ingestors, two operators returning, the
# endpoint, exhaustive; and six broken variants, which must fail:
# - ops-ack-before-commit: the error queue's copy acknowledged before its record commits -> a crash loses it;
# - ops-no-hash-dedupe: a redelivered copy counted as a new failure -> the record's failures doubled;
# - ops-no-resume: a return a dead operator stored is never finished -> the message is never returned;
# - ops-resume-no-lease: a return resumed while its owner still dispatches (checked in a calm run) -> sent twice;
# - ops-no-idempotence: the endpoint handles each copy -> a return resumed after its dispatch is handled twice;
# - ops-ack-failure-kept: a delivery whose acknowledgement failed is not handed back -> it sits in flight on
#   the live ingestor and the error queue never empties (an invalid end state).
# Then the batch-taking SQL queue (batch-queue.pml, postgres://…?batch=N): two consumers, batches of two of
# three rows, crashes, exhaustive; and three broken variants, which must fail:
# - batch-commit-at-first-ack: the batch's rows deleted at its first acknowledgement -> a crash loses the rest;
# - batch-no-idempotence: the endpoint handles every copy -> a crash before the batch commits doubles effects;
# - batch-no-skip-locked: a take also takes rows another batch holds (checked in a calm run) -> handled twice.
# Then group commit on batch-taking SQL queues (sql-queue-group-commit.pml): two processes, each reading
# queue table Q (three messages, one of whose handlers sends a follow-up F into queue table R) and R, takes
# of two rows held open in T while a lane's transaction B commits the work, F enqueued into R after B's
# commit, the take's rows deleted when all are acknowledged; crashes, outages, exhaustive; and four broken
# variants, which must fail:
# - sqlgc-ack-before-commit: a member acknowledges its row when its handler succeeds, before B commits ->
#   the take deletes the row and commits, a crash before B's commit loses the effect;
# - sqlgc-dispatch-before-commit: F enqueued into R when the handler sends it, not after B's commit -> F
#   is handled while the work that sent it is uncommitted (a rollback has sent it);
# - sqlgc-complete-before-dispatch: B commits the sending member's row 'completed', not 'handled' -> a
#   crash before F's enqueue loses F (the redelivered copy is ignored);
# - sqlgc-no-skip-locked: a take also takes rows another take holds (checked in a calm run) -> handed out twice.
# Then schedules (schedule-ticks.pml): two processes of one endpoint fire the same tick into their inbox under
# the id derived from (inbox, schedule, tick), a crashed process restarts and fires it again (or comes back
# past backfill and skips it), a tick send reported failed is sent again; both consume the inbox (claim, the
# tick handler's send of M stored with the commit, flush under the lease), crashes, outages, exhaustive; and
# one broken variant, which must fail:
# - schedule-distinct-tick-ids (-DDISTINCT_TICK_IDS): each process derives a tick id of its own (its process
#   id in the derivation) -> idempotence sees two messages and both units of work commit M's send.
# Then the saga step (saga-step.pml, the design of src/sagas): two consumers take one saga's messages - two
# racing starters, two concurrent advancing events, the timeout each start requests (a stored send flushed
# after the commit, racing the completing event) - each in its unit of work (idempotence claim, load, handle,
# conditional save, commit), crashes at every step; exhaustive with two crashes (the file's defaults), with
# one crash and an event's not-found retry, and a cycle check (-DNP, pan -l: every run ends, so everything is
# eventually handled); and five broken variants, which must fail:
# - saga-no-version (-DSAGA_NO_VERSION): an update ignores the expected version -> two events loaded at one
#   version, the second save overwrites the first (lost update);
# - saga-no-unique (-DSAGA_NO_UNIQUE): no unique (sagaType, correlationId) -> racing starters insert two
#   instances;
# - saga-timeout-after-complete (-DSAGA_TIMEOUT_AFTER_COMPLETE): the timeout handler runs without checking
#   that its instance is live and its token current -> the timeout's effect after completion;
# - saga-save-outside-uow (-DSAGA_SAVE_OUTSIDE_UOW): the row saved in a transaction of its own before the unit
#   of work commits -> a crash between leaves the change without the idempotence record: applied twice;
# - saga-late-start-loops (-DSAGA_LATE_START_INSERTS, the cycle check): a start that finds its instance
#   completed tries to insert one -> the unique key refuses it and it is retried forever.
# `bash check.sh saga` runs the saga step's lines alone.
# Then HTTP Idempotency-Keys (http-keys.pml): a client whose retries and concurrent duplicate land on either of
# two API processes, the key row (claim, replay, 409, take-over of a lapsed lease), the route's transaction
# (order row + stored PlaceOrder + key completion), the session's dispatch after the commit, crashes,
# a failing route, exhaustive (about 16 million states, about 18 s and 2 GB); then, with weak fairness and one
# crash, that the client eventually accepts a response (about 12 s); and three broken variants, which must fail
# (the first two at the assertion that the route's effects commit once: "orders==0"):
# - http-response-outside-tx (-DHTTP_RESPONSE_OUTSIDE_TX, no lapses: crashes alone): the response stored in a
#   transaction of its own after the route's commits -> a crash between leaves the key running, a retry takes
#   it over and runs the route again: two orders;
# - http-running-unguarded (-DHTTP_RUNNING_UNGUARDED): the completion not conditional on the attempt -> after a
#   take-over both attempts commit;
# - http-dead-lease-kept (liveness): a dead holder's lease never runs out -> the client gets 409 forever.
# `bash check.sh http` runs the HTTP keys' lines alone.
set -eu
cd "$(dirname "$0")"; t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
# run FILE [spin -D flags...]: errors, states stored and pan's run time (O=-O0 or -O1 before it: a quicker
# compile, for a mutant that fails at once or a run of a few million states)
run() { f=$1; shift; (cd "$t" && spin "$@" -a "$f" >/dev/null && gcc ${O:--O2} -DSAFETY -o pan pan.c && ./pan -m400000 | grep -E 'errors:|states, stored|elapsed time' | tr '\n' ' '; echo); }
# runnp FILE [spin -D flags...]: the same for pan's non-progress cycle search; no progress label, so any
# cycle is an error (a run that need not end)
runnp() { f=$1; shift; (cd "$t" && spin "$@" -a "$f" >/dev/null && gcc ${O:--O2} -DNP -o pan pan.c && ./pan -m400000 -l | grep -E 'errors:|states, stored|elapsed time' | tr '\n' ' '; echo); }
# runlive FILE [spin -D flags...]: FILE's `ltl` claim (under -DLIVENESS) with weak fairness: acceptance cycles
runlive() { f=$1; shift; (cd "$t" && spin -DLIVENESS "$@" -a "$f" >/dev/null && gcc -O2 -o pan pan.c && ./pan -a -f -m400000 | grep -E 'errors:|states, stored|elapsed time' | tr '\n' ' '; echo); }
# runwhy FILE [spin -D flags...]: as run, with the first assertion it finds violated
runwhy() { f=$1; shift; (cd "$t" && spin "$@" -a "$f" >/dev/null && gcc -O2 -DSAFETY -o pan pan.c && ./pan -m400000 | grep -E 'errors:|states, stored|elapsed time|assertion violated' | tr '\n' ' '; echo); }
saga() {
  cp saga-step.pml "$t/saga.pml"
  echo "saga step:                       $(O=-O1 run saga.pml)"
  echo "saga step one crash, not found:  $(O=-O1 run saga.pml -DMAXCRASH=1 -DMAXNF=1)"
  echo "saga step every run ends:        $(O=-O0 runnp saga.pml -DMAXCRASH=0 -DMAXNF=1)"
  echo "mutant saga-no-version:          $(O=-O0 run saga.pml -DSAGA_NO_VERSION)"
  echo "mutant saga-no-unique:           $(O=-O0 run saga.pml -DSAGA_NO_UNIQUE)"
  echo "mutant saga-timeout-after-complete: $(O=-O0 run saga.pml -DSAGA_TIMEOUT_AFTER_COMPLETE)"
  echo "mutant saga-save-outside-uow:    $(O=-O0 run saga.pml -DSAGA_SAVE_OUTSIDE_UOW)"
  echo "mutant saga-late-start-loops:    $(O=-O0 runnp saga.pml -DMAXCRASH=0 -DSAGA_LATE_START_INSERTS)"
}
http() {
  cp http-keys.pml "$t/http.pml"
  mutate http-keys.pml http-deadlease -e 's/  :: atomic { kstatus == RUNNING \&\& klive \&\& katt != held\[1\] \&\& katt != held\[2\] -> klive = false }/  :: false -> skip/'
  echo "http keys:                       $(run http.pml)"
  echo "http keys answer (liveness):     $(runlive http.pml -DMAXCRASH=1)"
  echo "mutant http-response-outside-tx: $(runwhy http.pml -DHTTP_RESPONSE_OUTSIDE_TX -DMAXLAPSE=0)"
  echo "mutant http-running-unguarded:   $(runwhy http.pml -DHTTP_RUNNING_UNGUARDED)"
  echo "mutant http-dead-lease-kept:     $(runlive http-deadlease.pml -DMAXCRASH=1)"
}
if [ "${1:-}" = saga ]; then saga; exit 0; fi
# mutate MODEL NAME SED-ARGS...: the model with the change applied; a change that does not apply leaves no
# file, so its line reports no "errors: N" and the test fails
mutate() { m=$1; n=$2; shift 2; sed "$@" "$m" >"$t/$n.pml"; if cmp -s "$m" "$t/$n.pml"; then echo "mutation $n did not apply" >&2; rm "$t/$n.pml"; fi; }
if [ "${1:-}" = http ]; then http; exit 0; fi
cp oncebus.pml "$t/ok.pml"
mutate oncebus.pml shuttle -e 's/effect++; row = HANDLED; lockHolder = 0;/effect++; lockHolder = 0;/'
mutate oncebus.pml nolock -e 's/lockHolder == 0 ->/true ->/'
mutate oncebus.pml norollback -e 's/atomic { lockHolder = 0; copies++ }/atomic { effect++; lockHolder = 0; copies++ }/'
mutate oncebus.pml deletebyid -e 's/stored = stored & (ALL - (1 << r)) /stored = 0 /'
mutate oncebus.pml expiryfirst -e 's/expired \&\& row != HANDLED -> inflight--/expired -> inflight--/'
mutate oncebus.pml nolease -e 's/:: lease == 0 || lease == me -> lease = me /:: true -> lease = me /'
cp group-commit.pml "$t/gc.pml"
mutate group-commit.pml gc-nosavepoint -e 's/failures++; lock\[msg\[i\]\] = 0;/failures++; peff[L * NM + msg[i]]++; lock[msg[i]] = 0;/'
mutate group-commit.pml gc-samebatch -e 's/#define HELDP(L, i) ((held\[L\] & BIT(i)) != 0 || (HELDOTHER(L) & BIT(i)) != 0)/#define HELDP(L, i) ((HELDOTHER(L) \& BIT(i)) != 0)/'
mutate group-commit.pml gc-ackearly -e 's/-> peff\[L \* NM + msg\[i\]\]++; st\[i\] = SUCC;/-> peff[L * NM + msg[i]]++; st[i] = SUCC; ackd[i] = 1;/'
mutate group-commit.pml gc-putbackkeeps -e 's/:: ASGIN(k, L) -> lock\[msg\[k\]\] = 0; st\[k\] = PUTB/:: ASGIN(k, L) -> st[k] = PUTB/'
mutate group-commit.pml gc-completeearly -e 's/:: sends\[msg\[k\]\] -> row\[msg\[k\]\] = HANDLED;/:: sends[msg[k]] -> row[msg[k]] = COMPLETED;/'
cp session.pml "$t/session.pml"
mutate session.pml session-nolease -e 's/row == HANDLED \&\& (lease == 0 || lease == me) -> lease = me/row == HANDLED -> lease = me/'
mutate session.pml session-dualwrite -e 's|  /\* the work: the user.s write and the sends, in the transaction; it may throw (rollback) \*/|  fsent[0]++; fsent[1]++; fsent[2]++;|' -e 's/lease = me; stored = ALL }   \/\* COMMIT \*\//lease = me; stored = 0 }/'
mutate session.pml session-nosweeper -e 's/  :: row == HANDLED \&\& (lease == 0 || lapses < MAXLAPSE) ->/  :: false ->/'
cp error-ingestion.pml "$t/ops.pml"
mutate error-ingestion.pml ops-ackfirst -e 's|     atomic { if :: !bytesRecorded -> |     atomic { errq = ACKED; taker = 0 }; if :: crashed(); goto restart :: skip fi; atomic { if :: !bytesRecorded -> |'
mutate error-ingestion.pml ops-nohash -e 's/:: !bytesRecorded -> records = 1/:: true -> records = 1/'
mutate error-ingestion.pml ops-noresume -e 's/atomic { status == RETURNING \&\& leaseOwner == 0 -> leaseOwner = me }/atomic { false -> leaseOwner = me }/'
mutate error-ingestion.pml ops-nolease -e 's/atomic { status == RETURNING \&\& leaseOwner == 0 -> leaseOwner = me }/atomic { status == RETURNING -> leaseOwner = me }/'
mutate error-ingestion.pml ops-noidem -e 's/if :: !handled -> handled = true; effect++ :: else -> skip fi/effect++/'
mutate error-ingestion.pml ops-ackkept -e 's/ackFailures++; errq = READY; taker = 0 }/ackFailures++ }/'
cp batch-queue.pml "$t/batch.pml"
mutate batch-queue.pml batch-early -e 's|acked\[m\] = true  *\/\* ACKNOWLEDGE (recorded) \*\/|acked[m] = true; atomic { i = 0; do :: i < NM -> if :: lockedBy[i] == me -> deleted[i] = true; lockedBy[i] = 0; acked[i] = false :: else -> skip fi; i++ :: else -> break od }; break|'
mutate batch-queue.pml batch-noidem -e 's/if :: !completed\[m\] -> completed\[m\] = true; effect\[m\]++ :: else -> skip fi/effect[m]++/'
mutate batch-queue.pml batch-noskip -e 's/if :: FREE(i) -> lockedBy\[i\] = me;/if :: !deleted[i] -> lockedBy[i] = me;/'
cp sql-queue-group-commit.pml "$t/sqlgc.pml"
mutate sql-queue-group-commit.pml sqlgc-ackearly -e 's/hran\[KI(r)\] = 1 :: else -> skip fi; cst\[C(r)\] = SUCC }/hran[KI(r)] = 1 :: else -> skip fi; ackd[C(r)] = 1; cst[C(r)] = SUCC }/'
mutate sql-queue-group-commit.pml sqlgc-dualwrite -e 's/hran\[KI(r)\] = 1 :: else -> skip fi; cst\[C(r)\] = SUCC }/hran[KI(r)] = 1 :: else -> skip fi; if :: RQ(r) == 0 \&\& RK(r) < NSEND -> m = RK(r); dispatch(m) :: else -> skip fi; cst[C(r)] = SUCC }/' -e 's/cst\[C(r)\] == FLUSHMEM -> m = RK(r); dispatch(m); cst\[C(r)\] = SENT }/cst[C(r)] == FLUSHMEM -> cst[C(r)] = SENT }/'
mutate sql-queue-group-commit.pml sqlgc-completeearly -e 's/-> irow\[KI(k)\] = HANDLED; stored\[RK(k)\] = 1;/-> irow[KI(k)] = COMPLETED; stored[RK(k)] = 1;/'
mutate sql-queue-group-commit.pml sqlgc-noskip -e 's/#define FREEP(r) (rdb\[r\] == PRESENT \&\& lk\[r\] == 0)/#define FREEP(r) (rdb[r] == PRESENT \&\& (lk[r] \& PB) == 0)/'
cp schedule-ticks.pml "$t/schedules.pml"
cp http-keys.pml "$t/http.pml"
mutate http-keys.pml http-deadlease -e 's/  :: atomic { kstatus == RUNNING \&\& klive \&\& katt != held\[1\] \&\& katt != held\[2\] -> klive = false }/  :: false -> skip/'
echo "oncebus:            $(run ok.pml)"
echo "mutant shuttle:     $(run shuttle.pml)"
echo "mutant no-lock:     $(run nolock.pml)"
echo "mutant no-rollback: $(run norollback.pml)"
echo "mutant delete-by-outgoing-id: $(run deletebyid.pml)"
echo "mutant expiry-first: $(run expiryfirst.pml)"
echo "mutant no-flush-lease: $(run nolease.pml)"
echo "group-commit:                    $(run gc.pml -DPUTBACK)"
echo "group-commit two lanes:          $(run gc.pml -DPUTBACK -DNL1=2 -DNS1=3 -DNS2=1 -DMAXFAULT=1)"
echo "mutant gc-no-savepoint:          $(run gc-nosavepoint.pml)"
echo "mutant gc-same-batch-duplicate:  $(run gc-samebatch.pml)"
echo "mutant gc-ack-before-commit:     $(run gc-ackearly.pml)"
echo "mutant gc-complete-before-flush: $(run gc-completeearly.pml)"
echo "mutant gc-putback-keeps-claim:   $(O=-O0 run gc-putbackkeeps.pml -DPUTBACK)"
echo "session:                         $(run session.pml)"
echo "mutant session-sweeper-no-lease: $(run session-nolease.pml -DMAXCRASH=0 -DMAXOUTAGE=0)"
echo "mutant session-dual-write:       $(run session-dualwrite.pml)"
echo "mutant session-no-sweeper:       $(run session-nosweeper.pml)"
echo "operations:                      $(run ops.pml)"
echo "mutant ops-ack-before-commit:    $(run ops-ackfirst.pml)"
echo "mutant ops-no-hash-dedupe:       $(run ops-nohash.pml)"
echo "mutant ops-no-resume:            $(run ops-noresume.pml)"
echo "mutant ops-resume-no-lease:      $(run ops-nolease.pml -DMAXCRASH=0 -DMAXLAPSE=0)"
echo "mutant ops-no-idempotence:       $(run ops-noidem.pml)"
echo "mutant ops-ack-failure-kept:     $(run ops-ackkept.pml)"
echo "batch queue:                     $(run batch.pml)"
echo "mutant batch-commit-at-first-ack: $(run batch-early.pml)"
echo "mutant batch-no-idempotence:     $(run batch-noidem.pml)"
echo "mutant batch-no-skip-locked:     $(run batch-noskip.pml -DMAXCRASH=0)"
echo "sql queue group commit:          $(run sqlgc.pml)"
echo "mutant sqlgc-ack-before-commit:  $(run sqlgc-ackearly.pml)"
echo "mutant sqlgc-dispatch-before-commit: $(run sqlgc-dualwrite.pml)"
echo "mutant sqlgc-complete-before-dispatch: $(run sqlgc-completeearly.pml)"
echo "mutant sqlgc-no-skip-locked:     $(run sqlgc-noskip.pml -DMAXCRASH=0 -DMAXOUTAGE=0)"
echo "schedule ticks:                  $(run schedules.pml)"
echo "mutant schedule-distinct-tick-ids: $(run schedules.pml -DDISTINCT_TICK_IDS)"
saga
http
