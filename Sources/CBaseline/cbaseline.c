#include "cbaseline.h"
int cbaseline_version(void) { return 1; }
