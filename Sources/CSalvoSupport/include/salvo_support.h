#ifndef SALVO_SUPPORT_H
#define SALVO_SUPPORT_H

/// Asks the processor to load the cache line holding `address` ahead of its use: the set of
/// numbers seen is far larger than the caches, and its probes are random.
static inline void salvo_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 1);
}

#endif
