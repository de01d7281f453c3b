#!/usr/bin/env bash
# The Slurm cluster test: bring up a one-node Slurm cluster from Debian's
# packages (munge, slurmctld, slurmd, slurm-client) in a temporary folder,
# run the real-Slurm tests of crates/channelsim/tests/slurm.rs against it,
# then stop the daemons it started (by pid) and clean up, whatever happened.
#
#   .ci/slurm-test.sh              # the test (CHANNELSIM_SLURM_TEST=1 cargo test ... --test slurm)
#   .ci/slurm-test.sh CMD ARGS...  # run CMD against the cluster instead (e.g. bash)
#
# Needs root (it installs the packages when missing and runs munged as user
# munge) and free ports 6817/6818. Nothing outside the temporary folder is
# touched: munged gets its own socket there, and every Slurm command reads
# the cluster's slurm.conf through SLURM_CONF.
# Exit code: the test's (or CMD's); 1 if the cluster could not be brought up
# or a daemon died. KEEP=1 keeps the temporary folder; SLURM_CONF_EXTRA
# (lines) is appended to slurm.conf.
# shellcheck disable=SC2317  # functions run from the EXIT trap
set -euo pipefail
cd "$(dirname "$0")/.."

START=$SECONDS
log() { printf '[slurm-test %3ds] %s\n' "$((SECONDS - START))" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

[ "$(id -u)" = 0 ] || die "run as root: it installs packages and starts munged as user munge"

# --- 1. Packages ------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in munge slurmctld slurmd slurm-client; do
    installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # RUNLEVEL=1: the packages' scripts must not start the daemons themselves.
    RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for c in munged slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
    command -v "$c" >/dev/null || die "$c not found after installing the packages"
done
[ -r /etc/munge/munge.key ] || die "/etc/munge/munge.key missing (the munge package creates it)"

# Build the test first: the cluster need not idle through a compilation.
if [ $# -eq 0 ]; then
    log "building the test"
    cargo test --release -p channelsim --test slurm --no-run
fi

# --- 2. Ports ---------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in 6817 6818; do
    if port_busy "$port"; then
        if command -v ss >/dev/null; then ss -ltnp "( sport = :$port )" >&2 || true; fi
        die "port $port is in use (another Slurm?); this script starts its own and stops only that"
    fi
done

# --- 3. The cluster, in a temporary folder ----------------------------------
T=$(mktemp -d /tmp/channelsim-slurm.XXXXXX)
chmod 755 "$T"
MUNGED_PID='' CTLD_PID='' SLURMD_PID='' TEST_PID=''
FAILED=1

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

stop() { # stop a process we started: TERM, up to 10 s, then KILL
    local name=$1 pid=$2
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        log "$name ($pid) ignored SIGTERM: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

show_logs() {
    for f in "$T"/munge/munged.log "$T"/slurmctld.log "$T"/slurmd.log "$T"/*.out; do
        [ -s "$f" ] || continue
        echo "----- $f (last 60 lines)" >&2
        tail -n 60 "$f" >&2
    done
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if alive "$TEST_PID"; then
        # The test runs in its own process group (setsid): end all of it.
        kill -TERM -- "-$TEST_PID" 2>/dev/null
        stop "the test" "$TEST_PID"
    fi
    if alive "$CTLD_PID"; then
        # Jobs left over (a test that timed out): cancel them, so that no
        # slurmstepd outlives the cluster.
        local jobs
        jobs=$(squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
        if [ -n "${jobs// /}" ]; then
            log "cancelling jobs left over: $jobs"
            # shellcheck disable=SC2086
            scancel $jobs
            for _ in $(seq 50); do
                [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break
                sleep 0.2
            done
        fi
    fi
    if [ "$rc" != 0 ] || [ "$FAILED" != 0 ]; then
        show_logs
    fi
    stop slurmd "$SLURMD_PID"
    stop slurmctld "$CTLD_PID"
    stop munged "$MUNGED_PID"
    if [ "${KEEP:-0}" = 1 ]; then
        log "kept $T"
    else
        rm -rf "$T"
    fi
    [ "$rc" = 0 ] && [ "$FAILED" != 0 ] && rc=1
    log "done (exit $rc) in $((SECONDS - START)) s"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_until SECONDS WHAT CMD...: poll CMD every 0.2 s; give up after SECONDS
# or as soon as one of the daemons started so far has died.
wait_until() {
    local secs=$1 what=$2 t0=$SECONDS
    shift 2
    until "$@" >/dev/null 2>&1; do
        for d in "munged:$MUNGED_PID" "slurmctld:$CTLD_PID" "slurmd:$SLURMD_PID"; do
            local pid=${d#*:}
            if [ -n "$pid" ] && ! alive "$pid"; then
                die "${d%%:*} died while waiting for $what"
            fi
        done
        ((SECONDS - t0 < secs)) || die "timed out after ${secs} s waiting for $what"
        sleep 0.2
    done
}

# munge: its own socket, pid, log and seed files, run as user munge.
mkdir -p "$T/munge"
chown munge:munge "$T/munge"
chmod 755 "$T/munge"
SOCKET="$T/munge/munge.socket"
setpriv --reuid=munge --regid=munge --init-groups \
    munged --foreground --socket="$SOCKET" --pid-file="$T/munge/munged.pid" \
    --log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed" \
    >"$T/munged.out" 2>&1 &
MUNGED_PID=$!
munge_ok() { munge -n -S "$SOCKET" | unmunge -S "$SOCKET"; }
wait_until 20 munged munge_ok
log "munged up (pid $MUNGED_PID)"

# slurm.conf for this node.
NODE=$(hostname -s)
HW=$(slurmd -C | head -n 1)
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$HW"; }
CPUS=$(field CPUs)
BOARDS=$(field Boards)
SPB=$(field SocketsPerBoard)
CPS=$(field CoresPerSocket)
TPC=$(field ThreadsPerCore)
MEM=$(field RealMemory)
if [ -z "$CPUS" ] || [ -z "$CPS" ] || [ -z "$MEM" ]; then
    die "cannot read the hardware from 'slurmd -C': $HW"
fi
MEM=$((MEM * 9 / 10)) # declaring more than there is drains the node
mkdir -p "$T/state" "$T/spool"
export SLURM_CONF="$T/slurm.conf"
cat >"$SLURM_CONF" <<EOF
# One-node cluster of .ci/slurm-test.sh
ClusterName=channelsim-ci
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Schedule every second (default: 30 s for backfill): a job chained with
# --dependency then starts within about a second of its dependency's end.
SchedulerParameters=bf_interval=1
ReturnToService=2
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS Sockets=$((${BOARDS:-1} * ${SPB:-1})) CoresPerSocket=$CPS ThreadsPerCore=${TPC:-1} RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
${SLURM_CONF_EXTRA:-}
EOF

slurmctld -D -f "$SLURM_CONF" >"$T/slurmctld.out" 2>&1 &
CTLD_PID=$!
wait_until 30 "slurmctld (scontrol ping)" bash -c 'scontrol ping | grep -q UP'
log "slurmctld up (pid $CTLD_PID)"
slurmd -D -N "$NODE" -f "$SLURM_CONF" >"$T/slurmd.out" 2>&1 &
SLURMD_PID=$!
node_idle() { [ "$(sinfo -h -n "$NODE" -o %t)" = idle ]; }
wait_until 30 "node $NODE idle in sinfo" node_idle
log "slurmd up (pid $SLURMD_PID), node $NODE idle: $CPUS CPUs, ${MEM} MB"

# --- 4. The test ------------------------------------------------------------
[ $# -gt 0 ] || set -- env CHANNELSIM_SLURM_TEST=1 \
    cargo test --release -p channelsim --test slurm -- --nocapture
set +e
if [ -t 0 ]; then
    "$@" # an interactive command keeps the terminal
    RC=$?
else
    # In the background, so that a SIGTERM to this script is handled at once
    # (bash runs traps only between foreground commands).
    setsid "$@" &
    TEST_PID=$!
    wait "$TEST_PID"
    RC=$?
    TEST_PID=''
fi
set -e
DEAD=''
alive "$MUNGED_PID" || DEAD+=' munged'
alive "$CTLD_PID" || DEAD+=' slurmctld'
alive "$SLURMD_PID" || DEAD+=' slurmd'
if [ -n "$DEAD" ]; then
    log "error: daemon(s) died during the test:$DEAD"
    [ "$RC" = 0 ] && RC=1
fi
[ "$RC" = 0 ] && FAILED=0
log "test exit code $RC"
exit "$RC"
