// bayesd entry point (the serve command is wired in as the HTTP layer lands).
#include <cstdio>

int main() {
  std::puts("bayesd 0.1.0");
  return 0;
}
