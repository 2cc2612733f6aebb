// The functions of this module are inline, in include/salvo_support.h.
#include "salvo_support.h"
