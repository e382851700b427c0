/* Test driver for mmapvec.h: prints a file's header and every committed element, floating-point
 * values as their raw bits, so the Java test compares them with what it wrote. A second argument
 * is the magic the file must carry.
 *
 * "dump FILE --follow COUNT" tails a live writer of longs that stores i * i + 7 at index i:
 * refreshes until the length reaches COUNT (or 120 s pass), checks every element it sees, and
 * prints "FOLLOWED <distinct lengths seen> <final length>", or "WRONG <index> <value>".
 *
 * Output: "ERROR <REASON> <message>" and exit 1, or
 *   MAGIC m / VERSION a.b.c / TYPE t / SIZE n / FIELD name type offset ... / LENGTH n / rows
 */
#define MMAPVEC_IMPLEMENTATION
#include "../mmapvec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void print_value(mmapvec_type type, const unsigned char *p) {
  switch (type) {
    case MMAPVEC_BYTE: { int8_t v; memcpy(&v, p, 1); printf("%d", v); break; }
    case MMAPVEC_BOOLEAN: printf("%d", p[0] ? 1 : 0); break;
    case MMAPVEC_SHORT: { int16_t v; memcpy(&v, p, 2); printf("%d", v); break; }
    case MMAPVEC_CHAR: { uint16_t v; memcpy(&v, p, 2); printf("%u", (unsigned) v); break; }
    case MMAPVEC_INT: { int32_t v; memcpy(&v, p, 4); printf("%" PRId32, v); break; }
    case MMAPVEC_FLOAT: { uint32_t v; memcpy(&v, p, 4); printf("%" PRIu32, v); break; }
    case MMAPVEC_LONG: { int64_t v; memcpy(&v, p, 8); printf("%" PRId64, v); break; }
    case MMAPVEC_DOUBLE: { uint64_t v; memcpy(&v, p, 8); printf("%" PRIu64, v); break; }
    case MMAPVEC_STRUCT: break;
  }
}

static void dump(const mmapvec_reader *r) {
  uint64_t i;
  uint32_t f;
  printf("MAGIC %s\nVERSION %u.%u.%u\nTYPE %s\nSIZE %u\n", r->magic, r->data_version[0],
         r->data_version[1], r->data_version[2], mmapvec_type_name(r->type),
         (unsigned) r->element_size);
  for (f = 0; f < r->field_count; f++) {
    printf("FIELD %s %s %u\n", r->fields[f].name, mmapvec_type_name(r->fields[f].type),
           (unsigned) r->fields[f].offset);
  }
  printf("LENGTH %llu\n", (unsigned long long) r->length);
  for (i = 0; i < r->length; i++) {
    const unsigned char *e = (const unsigned char *) mmapvec_element(r, i);
    if (r->type != MMAPVEC_STRUCT) {
      print_value(r->type, e);
    } else {
      for (f = 0; f < r->field_count; f++) {
        if (f > 0) putchar(' ');
        print_value(r->fields[f].type, e + r->fields[f].offset);
      }
    }
    putchar('\n');
  }
}

static int follow(const char *path, uint64_t count) {
  mmapvec_reader r;
  mmapvec_status s = mmapvec_open(&r, path, NULL);
  uint64_t checked = 0, distinct = 0, last = (uint64_t) -1;
  long waited_ms = 0;
  if (s != MMAPVEC_OK) {
    printf("ERROR %s %s\n", mmapvec_status_name(s), r.message);
    return 1;
  }
  while (r.length < count && waited_ms < 120000) {
    uint64_t i;
    if (r.length != last) {
      distinct++;
      last = r.length;
    }
    for (i = checked; i < r.length; i++) {
      int64_t v;
      memcpy(&v, mmapvec_element(&r, i), 8);
      if (v != (int64_t) (i * i + 7)) {
        printf("WRONG %llu %lld\n", (unsigned long long) i, (long long) v);
        mmapvec_close(&r);
        return 1;
      }
    }
    checked = r.length;
    {
      struct timespec t = {0, 1000000};
      nanosleep(&t, NULL);
      waited_ms++;
    }
    s = mmapvec_refresh(&r);
    if (s != MMAPVEC_OK) {
      printf("ERROR %s %s\n", mmapvec_status_name(s), r.message);
      mmapvec_close(&r);
      return 1;
    }
  }
  if (r.length != last) distinct++;
  printf("FOLLOWED %llu %llu\n", (unsigned long long) distinct, (unsigned long long) r.length);
  mmapvec_close(&r);
  return 0;
}

int main(int argc, char **argv) {
  mmapvec_reader r;
  mmapvec_status s;
  mmapvec_expect expect;
  memset(&expect, 0, sizeof expect);
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE [MAGIC]\n", argv[0]);
    return 2;
  }
  if (argc == 4 && strcmp(argv[2], "--follow") == 0) {
    return follow(argv[1], strtoull(argv[3], NULL, 10));
  }
  if (argc > 2) expect.magic = argv[2];
  s = mmapvec_open(&r, argv[1], &expect);
  if (s != MMAPVEC_OK) {
    printf("ERROR %s %s\n", mmapvec_status_name(s), r.message);
    return 1;
  }
  dump(&r);
  mmapvec_close(&r);
  mmapvec_close(&r); /* twice is fine */
  return 0;
}
