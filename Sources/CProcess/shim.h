#include <signal.h>
#include <sys/prctl.h>

/* prctl is variadic, which Swift cannot call: the one request the host makes, as a plain function. */
static inline int mage_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}
