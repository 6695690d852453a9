// ThreadSanitizer hooks for Swift's Synchronization.Mutex on Linux, preloaded (LD_PRELOAD) by
// scripts/sanitize.sh thread and never linked into anything we ship.
//
// Why: Mutex's fast paths (a compare-exchange on the lock word) are inlined into our code and
// instrumented, so TSan sees their acquire and release. When the lock is contended, the inlined code
// calls _lockSlow / _tryLockSlow / _unlockSlow in libswiftSynchronization.so, which is not
// instrumented and hands the lock over in the kernel (FUTEX_LOCK_PI / FUTEX_UNLOCK_PI). The thread
// that wakes up owning the lock then performed no acquire TSan can see, and two critical sections of
// one Mutex are reported as a race. These wrappers interpose the three slow paths, call the real
// ones, and tell TSan what they did: a release on the lock word before a slow unlock, an acquire on
// it after a slow lock (or a successful slow try-lock). That is the same address the inlined fast
// paths synchronise on, so TSan sees every lock hand-over, fast or slow, as it does for
// pthread_mutex. Swift's own concurrency runtime annotates its hand-overs the same way
// (__tsan_acquire / __tsan_release looked up at run time).
//
// Nothing else changes: an access outside the lock, or under another Mutex, gets no edge and is
// still reported. If Swift renames these functions, nothing is interposed and the false reports come
// back (a loud failure, never a hidden race); checkNames below stops the run first.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// The mangled names of Synchronization._MutexHandle's @usableFromInline slow paths (Swift 6.x).
#define LOCK_SLOW "$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF"
#define TRY_LOCK_SLOW "$s15Synchronization12_MutexHandleV12_tryLockSlowSbyF"
#define UNLOCK_SLOW "$s15Synchronization12_MutexHandleV11_unlockSlowyyF"

// Swift passes `self` (a borrowed _MutexHandle, whose only field is the 32-bit lock word) by
// address in the swiftself register, which clang spells swift_context.
#define SWIFTCALL __attribute__((swiftcall))
#define SELF __attribute__((swift_context))

typedef SWIFTCALL void (*LockSlow)(uint32_t selfId, void *SELF handle);
typedef SWIFTCALL bool (*TryLockSlow)(void *SELF handle);
typedef SWIFTCALL void (*UnlockSlow)(void *SELF handle);

// Weak: the preload also lands in processes without TSan (swift test's own driver), where these are
// null and the wrappers only forward.
extern void __tsan_acquire(void *address) __attribute__((weak));
extern void __tsan_release(void *address) __attribute__((weak));

static void *real(const char *name, void **cache) {
    void *function = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
    if (function == NULL) {
        function = dlsym(RTLD_NEXT, name);
        if (function == NULL) {
            fprintf(stderr, "tsan-mutex-hooks: %s not found in libswiftSynchronization.so\n", name);
            abort();
        }
        __atomic_store_n(cache, function, __ATOMIC_RELEASE);
    }
    return function;
}

// In a process under TSan that has the Synchronization library loaded, all three must be there to be
// wrapped; otherwise stop now with a clear line rather than let the false reports come back.
__attribute__((constructor)) static void checkNames(void) {
    if (__tsan_acquire == NULL) return;
    void *library = dlopen("libswiftSynchronization.so", RTLD_NOW | RTLD_NOLOAD);
    if (library == NULL) return;
    const char *names[] = {LOCK_SLOW, TRY_LOCK_SLOW, UNLOCK_SLOW};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (dlsym(library, names[i]) == NULL) {
            fprintf(stderr, "tsan-mutex-hooks: libswiftSynchronization.so has no %s; this Swift changed "
                            "Mutex's internals, update scripts/tsan-mutex-hooks.c\n", names[i]);
            abort();
        }
    }
    dlclose(library);
}

SWIFTCALL void lockSlow(uint32_t selfId, void *SELF handle) __asm__(LOCK_SLOW);
SWIFTCALL void lockSlow(uint32_t selfId, void *SELF handle) {
    static void *cache;
    ((LockSlow)real(LOCK_SLOW, &cache))(selfId, handle);
    if (__tsan_acquire) __tsan_acquire(handle);
}

SWIFTCALL bool tryLockSlow(void *SELF handle) __asm__(TRY_LOCK_SLOW);
SWIFTCALL bool tryLockSlow(void *SELF handle) {
    static void *cache;
    bool locked = ((TryLockSlow)real(TRY_LOCK_SLOW, &cache))(handle);
    if (locked && __tsan_acquire) __tsan_acquire(handle);
    return locked;
}

SWIFTCALL void unlockSlow(void *SELF handle) __asm__(UNLOCK_SLOW);
SWIFTCALL void unlockSlow(void *SELF handle) {
    static void *cache;
    if (__tsan_release) __tsan_release(handle);
    ((UnlockSlow)real(UNLOCK_SLOW, &cache))(handle);
}
