/* Prints the first rows of a tick file written by the Java library:
 *
 *   record Tick(long time, double price, int qty) {}   // StructVec<Tick>
 *
 * cc -std=c99 -Wall -Wextra -o example example.c && ./example ticks.vec
 */
#define MMAPVEC_IMPLEMENTATION
#include "mmapvec.h"

#include <stdio.h>

struct tick { /* the same C layout as the Java record: time@0, price@8, qty@16, size 24 */
  int64_t time;
  double price;
  int32_t qty;
};

int main(int argc, char **argv) {
  mmapvec_reader r;
  uint64_t i;
  if (argc != 2) {
    fprintf(stderr, "usage: %s TICKS.vec\n", argv[0]);
    return 2;
  }
  if (mmapvec_open(&r, argv[1], NULL) != MMAPVEC_OK) {
    fprintf(stderr, "%s\n", r.message);
    return 1;
  }
  if (r.type != MMAPVEC_STRUCT || r.element_size != sizeof(struct tick)) {
    fprintf(stderr, "%s: not a file of ticks (%s elements of %u bytes)\n", argv[1],
            mmapvec_type_name(r.type), (unsigned) r.element_size);
    mmapvec_close(&r);
    return 1;
  }
  printf("%s: %llu ticks, magic '%s', data version %u.%u.%u\n", argv[1],
         (unsigned long long) r.length, r.magic, r.data_version[0], r.data_version[1],
         r.data_version[2]);
  for (i = 0; i < r.length && i < 5; i++) {
    const struct tick *t = (const struct tick *) mmapvec_element(&r, i);
    printf("%lld %.2f %d\n", (long long) t->time, t->price, t->qty);
  }
  mmapvec_close(&r);
  return 0;
}
