// Compiled as part of the pure library would be: it reaches libnl through a
// header of the link room. The build must refuse it (cmake/PureGuard.cmake);
// the ctest `build.pure_guard` checks that it does, with the guard's message.
#include "driver/link/nl_ptr.h"

int main() { return 0; }
