// A persistent pool of worker threads for the tensor core's parallel loops.
//
// Dispatch's concurrentPerform woke a sleeping worker for every call, and a forward pass runs
// hundreds of parallel loops, many of them not much longer than such a wake-up (see BENCHMARKS.md,
// "Worker pool"). Here the workers spin on a generation counter for a
// short while after each loop (so the next loop starts within a microsecond) and then sleep on a
// condition variable. The caller takes part: tasks are claimed from a shared counter, so a loop never waits for
// a worker that has not woken up yet.
#include "DeBERTaKernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

enum { MAX_WORKERS = 256 };

// How long an idle worker spins before it sleeps (nanoseconds); none when the pool has more
// threads than the machine has processors, where a spinning worker would take a busy one's time.
static _Atomic long spin_ns = 200 * 1000;

static pthread_mutex_t submit_lock = PTHREAD_MUTEX_INITIALIZER; // one loop at a time
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;  // starting threads
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER; // with `wake`, for sleeping workers
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static _Atomic unsigned generation;   // bumped once per published loop
// The published loop's claim word: generation (high 32 bits), task count (16), next task (16).
// A worker claims a task only by a compare-and-swap that sees the loop's own generation with a
// task left, so it never runs a task of a loop that has finished or not yet been published.
static _Atomic uint64_t claim;
static _Atomic int done_tasks, sleepers, park_requested;
static ck_pool_task task_fn;
static void *task_ctx;
static int started;                   // worker threads running
static __thread int inside_pool;      // set on workers and on a caller while its loop runs

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void wait_for_change(unsigned seen) {
    pthread_mutex_lock(&sleep_lock);
    while (atomic_load(&generation) == seen) pthread_cond_wait(&wake, &sleep_lock);
    pthread_mutex_unlock(&sleep_lock);
}

static void wake_all(void) {
    pthread_mutex_lock(&sleep_lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
}

// Claims and runs tasks of loop `gen` until none is left.
static void run_tasks(unsigned gen) {
    uint64_t word = atomic_load(&claim);
    for (;;) {
        if ((unsigned)(word >> 32) != gen || (word & 0xFFFF) >= ((word >> 16) & 0xFFFF)) return;
        if (!atomic_compare_exchange_weak(&claim, &word, word + 1)) continue;
        task_fn(task_ctx, (int)(word & 0xFFFF));
        atomic_fetch_add(&done_tasks, 1);
        word = atomic_load(&claim);
    }
}

static void *worker_main(void *arg) {
    (void)arg;
    inside_pool = 1;
    unsigned seen = atomic_load(&generation);
    for (;;) {
        long deadline = now_ns() + spin_ns;
        unsigned g;
        for (int spins = 0; (g = atomic_load(&generation)) == seen; spins++) {
            if ((spins & 63) == 63 && (atomic_load(&park_requested) || now_ns() > deadline)) {
                atomic_fetch_add(&sleepers, 1);
                if (atomic_load(&generation) == seen) wait_for_change(seen);
                atomic_fetch_sub(&sleepers, 1);
                deadline = now_ns() + spin_ns;
            }
            cpu_relax();
        }
        seen = g;
        run_tasks(g);
    }
    return 0;
}

static void ensure_workers(int wanted) {
    if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
    pthread_mutex_lock(&start_lock);
    while (started < wanted) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&thread, &attr, worker_main, 0);
        pthread_attr_destroy(&attr);
        if (failed) break;
        started++;
    }
    long processors = sysconf(_SC_NPROCESSORS_ONLN);
    if (processors > 0 && started + 1 > processors) spin_ns = 0;
    pthread_mutex_unlock(&start_lock);
}

void ck_pool_run(int count, int threads, ck_pool_task fn, void *ctx) {
    if (count <= 0) return;
    // Nested loops, loops while another thread's loop runs, and single-thread budgets run inline.
    if (threads <= 1 || count == 1 || count > 0xFFFF || inside_pool || pthread_mutex_trylock(&submit_lock) != 0) {
        for (int i = 0; i < count; i++) fn(ctx, i);
        return;
    }
    ensure_workers(threads - 1);
    inside_pool = 1;
    atomic_store(&park_requested, 0);
    task_fn = fn;
    task_ctx = ctx;
    atomic_store(&done_tasks, 0);
    unsigned gen = atomic_load(&generation) + 1;
    atomic_store(&claim, (uint64_t)gen << 32 | (uint64_t)count << 16);
    atomic_store(&generation, gen);
    if (atomic_load(&sleepers) > 0) wake_all();
    run_tasks(gen);
    while (atomic_load(&done_tasks) < count) cpu_relax();
    inside_pool = 0;
    pthread_mutex_unlock(&submit_lock);
}

void ck_pool_park(void) { atomic_store(&park_requested, 1); }
